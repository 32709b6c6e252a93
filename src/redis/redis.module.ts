import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { createRedisClient, type RedisClient } from './redis-client.js';

export const REDIS = Symbol('REDIS');
export const InjectRedis = () => Inject(REDIS);

/** Closes the shared client last, after the modules that use it have stopped. */
@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@InjectRedis() private readonly redis: RedisClient) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * The shared ioredis client for hot state (OTP challenges, later rate limits): one Redis, or a Redis
 * Cluster when REDIS_CLUSTER_NODES is set (then it is a `Cluster`, which answers the same commands).
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        createRedisClient(config, {
          // Fail commands fast while Redis is away instead of queueing them behind a request.
          enableOfflineQueue: true,
          maxRetriesPerRequest: 1,
          connectTimeout: 2000,
          commandTimeout: 2000,
          retryStrategy: (times) => Math.min(times * 200, 2000),
          // Commands issued by concurrent requests in one event-loop tick leave in one write: under load
          // this saves a syscall per command, and alone a command still leaves at once.
          enableAutoPipelining: true,
        }),
    },
    RedisCloser,
  ],
  exports: [REDIS],
})
export class RedisModule {}
