import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { THROTTLE_SCRIPT } from './rate-limit.lua.js';

type ThrottleRedis = Redis & { rlThrottle(hits: string, block: string, ttlMs: number, limit: number, blockMs: number): Promise<number[]> };

/**
 * @nestjs/throttler storage over our shared ioredis client (the published Redis storages declare
 * NestJS 11 peers at most). One script per check; throttler times are milliseconds in, seconds out.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly redis: ThrottleRedis;

  constructor(redis: Redis) {
    redis.defineCommand('rlThrottle', { numberOfKeys: 2, lua: THROTTLE_SCRIPT });
    this.redis = redis as ThrottleRedis;
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string) {
    const base = `rl:{${throttlerName}:${key}}`;
    const [totalHits, ttlMs, blocked, blockMs] = await this.redis.rlThrottle(`${base}:h`, `${base}:b`, ttl, limit, blockDuration);
    return {
      totalHits: totalHits!,
      timeToExpire: Math.max(0, Math.ceil(ttlMs! / 1000)),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.max(0, Math.ceil(blockMs! / 1000)),
    };
  }
}
