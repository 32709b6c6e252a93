import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';

/**
 * BullMQ's connection. The prefix is a Redis Cluster hash tag so every key of a queue lands in one
 * slot, as BullMQ requires there.
 */
export const QUEUE_PREFIX = '{otpq}';

@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        prefix: QUEUE_PREFIX,
        // BullMQ's default reconnect delay grows to 20 s; recovery after a Redis outage must take seconds.
        connection: { url: config.redisUrl, connectTimeout: 2000, retryStrategy: (times: number) => Math.min(times * 100, 1000) },
      }),
    }),
  ],
})
export class QueueModule {}
