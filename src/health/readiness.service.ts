import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, type HealthCheckResult, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DELIVERY_QUEUE } from '../queue/queue-names.js';
import { InjectRedis } from '../redis/redis.module.js';

const TIMEOUT_MS = 1500;
/** A probe answers from the last round of checks when it is younger than this. */
const CACHE_MS = 1000;

/**
 * Readiness of this process: its database, Redis and the delivery queue all answer. One round of
 * checks serves every probe for a second (concurrent probes share the round in flight), so a flood
 * of /health/ready costs the backing services nothing.
 */
@Injectable()
export class ReadinessService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly db: TypeOrmHealthIndicator,
    @InjectRedis() private readonly redis: Redis,
    @InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue,
  ) {}

  private last?: { at: number; result: Promise<HealthCheckResult> };

  /** The Terminus result, healthy or not (never throws for an unhealthy dependency). */
  check(): Promise<HealthCheckResult> {
    const now = Date.now();
    if (this.last && now - this.last.at < CACHE_MS) return this.last.result;
    const result = this.run();
    this.last = { at: now, result };
    result.catch(() => {
      if (this.last?.result === result) this.last = undefined;
    });
    return result;
  }

  private async run(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.db.pingCheck('database').withTimeout(TIMEOUT_MS),
        () =>
          this.indicators
            .check('redis')
            .attempt(async () => {
              await this.redis.ping();
            })
            .withTimeout(TIMEOUT_MS),
        () =>
          this.indicators
            .check('queue')
            .attempt(async () => {
              const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
              return { ...counts };
            })
            .withTimeout(TIMEOUT_MS),
      ]);
    } catch (error) {
      if (error instanceof ServiceUnavailableException) return error.getResponse() as HealthCheckResult;
      throw error;
    }
  }
}
