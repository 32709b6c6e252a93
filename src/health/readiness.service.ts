import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, type HealthCheckResult, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DELIVERY_QUEUE } from '../delivery/delivery.types.js';
import { InjectRedis } from '../redis/redis.module.js';

const TIMEOUT_MS = 1500;

/** Readiness of this process: its database, Redis and the delivery queue all answer. */
@Injectable()
export class ReadinessService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly db: TypeOrmHealthIndicator,
    @InjectRedis() private readonly redis: Redis,
    @InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue,
  ) {}

  /** The Terminus result, healthy or not (never throws for an unhealthy dependency). */
  async check(): Promise<HealthCheckResult> {
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
