import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import pg from 'pg';
import { emailSignIn } from '../support/flows.js';
import { PrivatePostgres } from '../support/postgres-server.js';
import { PrivateRedis } from '../support/redis-server.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { eventually, sleep, Stack } from '../support/stack.js';

const SINK_FROM = { EMAIL_PROVIDER: 'smtp', EMAIL_FROM: 'OTP <otp@test.local>' };

describe('faults: a worker killed mid-batch', () => {
  let stack: Stack;
  let sink: SmtpSink;

  before(async () => {
    sink = await new SmtpSink().start();
    stack = await Stack.start({ workers: 0, env: { ...SINK_FROM, SMTP_URL: sink.url } });
  });
  after(async () => {
    await stack?.stop();
    await sink?.stop();
  });

  it('SIGKILL of a worker during 1,000 queued deliveries: all 1,000 still arrive once a worker is back', async () => {
    const { projectId } = await stack.createProject('Batch');
    const addresses = Array.from({ length: 1000 }, (_, i) => `batch-${i}@example.com`);
    for (let i = 0; i < addresses.length; i += 25) {
      const answers = await Promise.all(addresses.slice(i, i + 25).map((loginId) => stack.post('/v1/auth/otp/signup-in/email', { loginId }, projectId)));
      assert.ok(answers.every((a) => a.status === 200));
    }
    sink.delayMs = 30;
    const worker = await stack.startWorker();
    await eventually(() => sink.messages.length >= 150, 60_000, '150 deliveries');
    worker.child.kill('SIGKILL');
    await worker.wait();
    const atKill = new Set(sink.messages.flatMap((m) => m.to)).size;
    assert.ok(atKill < 1000, `the worker was killed mid-batch (${atKill} delivered)`);
    await stack.startWorker();
    const delivered = () => new Set(sink.messages.flatMap((m) => m.to));
    await eventually(() => addresses.every((a) => delivered().has(a)), 90_000, 'all 1,000 deliveries');
    console.log(`worker SIGKILLed after ${atKill} deliveries; ${sink.messages.length} messages for 1000 addresses (at least once)`);
    sink.delayMs = 0;
  });
});

describe('faults: a failing provider', () => {
  let stack: Stack;
  let sink: SmtpSink;

  before(async () => {
    sink = await new SmtpSink().start();
    stack = await Stack.start({ env: { ...SINK_FROM, SMTP_URL: sink.url, DELIVERY_ATTEMPTS: '4', DELIVERY_BACKOFF_MS: '300' } });
  });
  after(async () => {
    await stack?.stop();
    await sink?.stop();
  });

  it('retries with exponential backoff, then keeps the job as failed with the provider error, logged with the challenge ID only', async () => {
    const { projectId } = await stack.createProject('Flaky');
    sink.deferred.add('flaky@example.com');
    assert.equal((await stack.post('/v1/auth/otp/signup/email', { loginId: 'flaky@example.com' }, projectId)).status, 200);
    const queue = new Queue('delivery', { connection: { url: stack.env.REDIS_URL }, prefix: '{otpq}' });
    try {
      const [job] = await eventually(async () => {
        const failed = await queue.getFailed();
        return failed.length ? failed : undefined;
      }, 20_000, 'a failed job');
      assert.equal(job!.attemptsMade, 4);
      assert.match(job!.failedReason, /451/);
      const lines = stack
        .logs()
        .split('\n')
        .filter((l) => l.includes('delivery attempt failed') || l.includes('delivery failed'))
        .map((l) => JSON.parse(l) as { time: number; msg: string; challengeId: string; error: string });
      assert.equal(lines.length, 4);
      assert.ok(lines.every((l) => l.challengeId === job!.id));
      assert.equal(lines.at(-1)!.msg, 'delivery failed');
      const gaps = lines.slice(1).map((l, i) => l.time - lines[i]!.time);
      // 300, 600, 1200 ms: each wait at least doubles.
      assert.ok(gaps[0]! >= 280 && gaps[1]! >= 580 && gaps[2]! >= 1150, `gaps ${gaps}`);
      assert.ok(gaps[2]! > gaps[1]! && gaps[1]! > gaps[0]!, `gaps ${gaps}`);
      for (const l of lines) assert.doesNotMatch(JSON.stringify(l), /sealed|\b\d{6}\b/);
    } finally {
      await queue.close();
    }
  });
});

/** During an outage every request answers 500 E010500, each within 2 s. */
async function assertFailsFast(stack: Stack, projectId: string, requests: [path: string, body: object][]): Promise<void> {
  for (const [path, body] of requests) {
    const started = Date.now();
    const answer = await stack.post(path, body, projectId);
    const took = Date.now() - started;
    assert.equal(answer.status, 500, answer.text);
    assert.equal(answer.body.errorCode, 'E010500');
    assert.ok(took < 2000, `${path} answered in ${took} ms`);
  }
}

describe('faults: Redis stopped and restarted', () => {
  let stack: Stack;
  let sink: SmtpSink;
  let redis: PrivateRedis;

  before(async () => {
    sink = await new SmtpSink().start();
    redis = await new PrivateRedis().start();
    stack = await Stack.start({ redisUrl: redis.url, env: { ...SINK_FROM, SMTP_URL: sink.url } });
    // The harness's own client sees the outage too; its complaints are expected.
    stack.redis.on('error', () => {});
  });
  after(async () => {
    await stack?.stop();
    await redis?.stop();
    await sink?.stop();
  });

  it('answers send and verify with 500 E010500 within 2 s during the outage and recovers within 5 s, without a restart', async () => {
    const { projectId } = await stack.createProject('Outage');
    assert.equal((await stack.post('/v1/auth/otp/signup-in/email', { loginId: 'before@example.com' }, projectId)).status, 200);
    await sink.waitFor('before@example.com');

    await redis.stop();
    for (let i = 0; i < 3; i++) {
      await assertFailsFast(stack, projectId, [
        ['/v1/auth/otp/signup-in/email', { loginId: 'during@example.com' }],
        ['/v1/auth/otp/verify/email', { loginId: 'during@example.com', code: '123456' }],
      ]);
      await sleep(500);
    }

    await redis.start();
    const back = Date.now();
    await eventually(async () => (await stack.post('/v1/auth/otp/signup-in/email', { loginId: 'after@example.com' }, projectId)).status === 200, 5000, 'a send after Redis returned');
    const recoveredIn = Date.now() - back;
    console.log(`recovered ${recoveredIn} ms after Redis returned`);
    const code = await sink.codeFor('after@example.com', 1, 15_000);
    const verified = await stack.post('/v1/auth/otp/verify/email', { loginId: 'after@example.com', code }, projectId);
    assert.equal(verified.status, 200, verified.text);
    assert.ok(stack.api.running && stack.workers[0]!.running, 'no process restarted');
  });
});

describe('faults: the database stopped and restarted', () => {
  let stack: Stack;
  let sink: SmtpSink;
  let database: PrivatePostgres;

  before(async () => {
    sink = await new SmtpSink().start();
    database = await new PrivatePostgres().start();
    stack = await Stack.start({ env: { ...SINK_FROM, SMTP_URL: sink.url, DATABASE_URL: database.adminUrl } });
  });
  after(async () => {
    await stack?.stop();
    await database?.destroy();
    await sink?.stop();
  });

  it('answers send and verify with 500 E010500 within 2 s during the outage and recovers within 5 s, without a restart', async () => {
    const { projectId } = await stack.createProject('DB outage');
    assert.equal((await emailSignIn(stack, sink, projectId, 'signup-in', 'before@example.com')).verified.status, 200);
    assert.equal((await stack.post('/v1/auth/otp/signin/email', { loginId: 'before@example.com' }, projectId)).status, 200);
    const code = await sink.codeFor('before@example.com', 2);

    await database.stop();
    await assertFailsFast(stack, projectId, [
      ['/v1/auth/otp/signup-in/email', { loginId: 'during@example.com' }],
      ['/v1/auth/otp/verify/email', { loginId: 'before@example.com', code }],
      ['/v1/auth/otp/signin/email', { loginId: 'before@example.com' }],
    ]);

    await database.start();
    const back = Date.now();
    await eventually(async () => (await stack.post('/v1/auth/otp/signin/email', { loginId: 'before@example.com' }, projectId)).status === 200, 5000, 'a send after the database returned');
    console.log(`recovered ${Date.now() - back} ms after the database returned`);
    const fresh = await sink.codeFor('before@example.com', 3, 20_000);
    const verified = await stack.post('/v1/auth/otp/verify/email', { loginId: 'before@example.com', code: fresh }, projectId);
    assert.equal(verified.status, 200, verified.text);
    assert.ok(stack.api.running, 'no process restarted');
  });
});

describe('graceful shutdown', () => {
  let stack: Stack;
  let sink: SmtpSink;

  before(async () => {
    sink = await new SmtpSink().start();
    stack = await Stack.start({ db: 'postgres', env: { ...SINK_FROM, SMTP_URL: sink.url } });
  });
  after(async () => {
    await stack?.stop();
    await sink?.stop();
  });

  it('on SIGTERM the worker finishes its current job before exiting', async () => {
    const { projectId } = await stack.createProject('Drain');
    sink.delayMs = 2000;
    const queue = new Queue('delivery', { connection: { url: stack.env.REDIS_URL }, prefix: '{otpq}' });
    try {
      assert.equal((await stack.post('/v1/auth/otp/signup/email', { loginId: 'slow@example.com' }, projectId)).status, 200);
      await eventually(async () => (await queue.getActiveCount()) === 1, 5000, 'an active job');
      const worker = stack.workers.pop()!;
      worker.child.kill('SIGTERM');
      await worker.wait();
      assert.equal(sink.to('slow@example.com').length, 1, 'the message was delivered before the worker exited');
      const counts = await queue.getJobCounts('active', 'waiting', 'failed');
      assert.deepEqual(counts, { active: 0, waiting: 0, failed: 0 });
    } finally {
      sink.delayMs = 0;
      await queue.close();
    }
  });

  it('on SIGTERM the API stops accepting connections and finishes the requests in flight', async () => {
    const { projectId, managementKey } = await stack.createProject('Drain API');
    // The previous test stopped the worker, so no code would arrive: the user comes from the management API.
    const created = await stack.post('/v1/mgmt/user/create', { loginId: 'held@example.com', email: 'held@example.com' }, `${projectId}:${managementKey}`);
    assert.equal(created.status, 200, created.text);
    // Hold the request in flight: its user lookup waits on a table lock.
    const locker = new pg.Client({ connectionString: stack.env.DATABASE_URL });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE login_ids IN ACCESS EXCLUSIVE MODE');
      const inFlight = stack.post('/v1/auth/otp/signin/email', { loginId: 'held@example.com' }, projectId);
      await sleep(500);
      stack.api.child.kill('SIGTERM');
      await sleep(500);
      await assert.rejects(fetch(`${stack.baseUrl}/v2/keys/${projectId}`, { headers: { connection: 'close' } }), 'new connections are refused');
      assert.ok(stack.api.running, 'the API waits for the request in flight');
      await locker.query('COMMIT');
      const answer = await inFlight;
      assert.equal(answer.status, 200, answer.text);
      const drained = Date.now();
      await stack.api.wait();
      assert.ok(Date.now() - drained < 5000, `the API exited ${Date.now() - drained} ms after its last request`);
    } finally {
      await locker.end();
    }
  });
});
