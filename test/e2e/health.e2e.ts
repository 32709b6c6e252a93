import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../support/ports.js';
import { OwnRedis } from '../support/redis-server.js';
import { eventually, Stack } from '../support/stack.js';

describe('readiness follows Redis', () => {
  let redis: OwnRedis;
  let stack: Stack;
  let workerPort: number;

  before(async () => {
    redis = new OwnRedis(await freePort());
    await redis.start();
    stack = await Stack.start({ redisUrl: redis.url, workers: 0 });
    workerPort = await freePort();
    await stack.startWorker({ WORKER_HEALTH_PORT: String(workerPort) });
  });
  after(async () => {
    // The stack's cleanup flushes its Redis, so Redis must be up (it is, unless the test failed midway).
    await redis?.start().catch(() => undefined);
    await stack?.stop();
    await redis?.dispose();
  });

  const apiReady = async () => (await stack.request('GET', '/health/ready')).status;
  const workerReady = async () => (await fetch(`http://127.0.0.1:${workerPort}/health/ready`)).status;

  it('turns /health/ready unhealthy (503) on the API and the worker when Redis stops, and healthy again when it returns', async () => {
    assert.equal(await apiReady(), 200);
    assert.equal(await workerReady(), 200);

    await redis.stop();
    const down = await eventually(async () => {
      const res = await stack.request('GET', '/health/ready');
      return res.status === 503 && res;
    }, 10_000, 'the API to report unready');
    assert.equal(down.body.status, 'error');
    assert.equal(down.body.details.redis.status, 'down');
    assert.equal(down.body.details.database.status, 'up', 'the database is still fine');
    await eventually(async () => (await workerReady()) === 503, 10_000, 'the worker to report unready');
    assert.equal((await stack.request('GET', '/health/live')).status, 200, 'the process is still alive');
    assert.equal((await fetch(`http://127.0.0.1:${workerPort}/health/live`)).status, 200);

    const stoppedAt = Date.now();
    await redis.start();
    await eventually(async () => (await apiReady()) === 200, 15_000, 'the API to report ready again');
    await eventually(async () => (await workerReady()) === 200, 15_000, 'the worker to report ready again');
    const recovered = await stack.request('GET', '/health/ready');
    assert.deepEqual(
      Object.values(recovered.body.details).map((d: any) => d.status),
      ['up', 'up', 'up'],
    );
    assert.ok(Date.now() - stoppedAt < 15_000);
  });
});
