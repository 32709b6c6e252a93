import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { AppModule } from '../src/app.module.js';
import { AppConfig } from '../src/config/app-config.js';
import { DeliveryQueueService } from '../src/delivery/delivery-queue.service.js';
import { DELIVERY_QUEUE } from '../src/queue/queue-names.js';

/**
 * The API's own module graph booted in the bench's process (an application context: no HTTP), for
 * the queue as the product declares it (name, prefix, connection) and its producer, which seals and
 * enqueues jobs exactly as a send does. Started after the API, which migrates the database.
 */
export class DeliveryProducer {
  private constructor(
    private readonly app: INestApplicationContext,
    readonly queue: Queue,
    readonly producer: DeliveryQueueService,
  ) {}

  static async start(env: Record<string, string>): Promise<DeliveryProducer> {
    // Its log lines would land among the bench's; errors still show.
    const config = AppConfig.fromEnvironment({ ...env, LOG_LEVEL: 'error' });
    const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error'] });
    return new DeliveryProducer(app, app.get<Queue>(getQueueToken(DELIVERY_QUEUE), { strict: false }), app.get(DeliveryQueueService, { strict: false }));
  }

  /** Queues `jobs` e-mail codes, 100 at a time. */
  async enqueue(jobs: number): Promise<void> {
    let next = 0;
    const one = async () => {
      while (next < jobs) {
        const n = next++;
        await this.producer.enqueue({
          challengeId: randomUUID(),
          projectId: 'Pbench',
          projectName: 'Bench',
          channel: 'email',
          purpose: 'signin',
          expiresAt: Date.now() + 300_000,
          to: `drain${n}@bench.test`,
          code: '123456',
        }, Date.now());
      }
    };
    await Promise.all(Array.from({ length: 100 }, one));
  }

  close(): Promise<void> {
    return this.app.close();
  }
}
