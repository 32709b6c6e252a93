import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { THROTTLE_SCRIPT } from './rate-limit.lua.js';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

type ThrottleRedis = Redis & { rlThrottle(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<number[]> };

/** One throttler's count of a request: its key, window and limit, all milliseconds. */
export interface ThrottleCheck {
  key: string;
  ttl: number;
  limit: number;
  blockDuration: number;
}

/**
 * @nestjs/throttler storage over our shared ioredis client (the published Redis storages declare
 * NestJS 11 peers at most). Throttler times are milliseconds in, seconds out.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly redis: ThrottleRedis;

  constructor(redis: Redis) {
    // Its number of keys is twice the number of throttlers counted: passed first on each call.
    redis.defineCommand('rlThrottle', { lua: THROTTLE_SCRIPT });
    this.redis = redis as ThrottleRedis;
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<ThrottlerStorageRecord> {
    const [record] = await this.incrementAll(key, [{ key, ttl, limit, blockDuration }]);
    return record!;
  }

  /**
   * Counts a request against several throttlers in one round trip, in order, stopping at the first
   * that blocks: the records returned are those of the throttlers counted. Every key carries the
   * hash tag `tag` (the client), so that on Redis Cluster one script reaches them all.
   */
  async incrementAll(tag: string, checks: ThrottleCheck[]): Promise<ThrottlerStorageRecord[]> {
    const keys = checks.flatMap(({ key }) => [`rl:{${tag}}:${key}:h`, `rl:{${tag}}:${key}:b`]);
    const args = checks.flatMap(({ ttl, limit, blockDuration }) => [ttl, limit, blockDuration]);
    const flat = await this.redis.rlThrottle(keys.length, ...keys, ...args);
    const records: ThrottlerStorageRecord[] = [];
    for (let i = 0; i + 3 < flat.length; i += 4) {
      records.push({
        totalHits: flat[i]!,
        timeToExpire: Math.max(0, Math.ceil(flat[i + 1]! / 1000)),
        isBlocked: flat[i + 2] === 1,
        timeToBlockExpire: Math.max(0, Math.ceil(flat[i + 3]! / 1000)),
      });
    }
    return records;
  }
}
