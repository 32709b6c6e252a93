import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { allocateRedisDb, REDIS_BASE } from '../../test/support/stack.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';

/** incrementAll counts a request against every throttler in one script, as one call per throttler in order would. */
describe('RedisThrottlerStorage.incrementAll', () => {
  let redis: Redis;
  let storage: RedisThrottlerStorage;
  before(async () => {
    redis = new Redis(`${REDIS_BASE}/${await allocateRedisDb()}`);
    storage = new RedisThrottlerStorage(redis);
  });
  after(async () => {
    await redis?.quit();
  });

  const hitsOf = async (key: string) => Number(await redis.get(`rl:{198.51.100.7}:${key}:h`));

  it('counts every throttler while none blocks', async () => {
    const records = await storage.incrementAll('198.51.100.7', [
      { key: 'global:a', ttl: 60_000, limit: 5, blockDuration: 60_000 },
      { key: 'send:a', ttl: 60_000, limit: 5, blockDuration: 60_000 },
    ]);
    assert.deepEqual(
      records.map((r) => [r.totalHits, r.isBlocked, r.timeToExpire]),
      [
        [1, false, 60],
        [1, false, 60],
      ],
    );
  });

  it('stops at the first throttler that blocks: the ones after it are not counted', async () => {
    const checks = [
      { key: 'global:b', ttl: 60_000, limit: 1, blockDuration: 30_000 },
      { key: 'send:b', ttl: 60_000, limit: 5, blockDuration: 60_000 },
    ];
    await storage.incrementAll('198.51.100.7', checks);
    const blocked = await storage.incrementAll('198.51.100.7', checks);
    assert.deepEqual(
      blocked.map((r) => [r.totalHits, r.isBlocked, r.timeToBlockExpire]),
      [[2, true, 30]],
    );
    const stillBlocked = await storage.incrementAll('198.51.100.7', checks);
    assert.deepEqual(
      stillBlocked.map((r) => [r.totalHits, r.isBlocked]),
      [[2, true]],
      'a blocked client is not counted further',
    );
    assert.equal(await hitsOf('send:b'), 1);
  });

  it('a later throttler blocks after the earlier ones counted the request', async () => {
    const checks = [
      { key: 'global:c', ttl: 60_000, limit: 9, blockDuration: 60_000 },
      { key: 'send:c', ttl: 60_000, limit: 1, blockDuration: 60_000 },
    ];
    await storage.incrementAll('198.51.100.7', checks);
    const records = await storage.incrementAll('198.51.100.7', checks);
    assert.deepEqual(
      records.map((r) => [r.totalHits, r.isBlocked]),
      [
        [2, false],
        [2, true],
      ],
    );
    assert.equal(await hitsOf('global:c'), 2);
  });
});
