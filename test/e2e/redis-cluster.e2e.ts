import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { emailSignIn, verifyWithJwks } from '../support/flows.js';
import { RedisClusterFixture } from '../support/redis-cluster.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { eventually, Stack } from '../support/stack.js';

describe('on a 3-master Redis Cluster (REDIS_CLUSTER_NODES)', () => {
  let cluster: RedisClusterFixture;
  let sink: SmtpSink;
  let stack: Stack;
  let projectId: string;

  before(async () => {
    cluster = await new RedisClusterFixture().start(3);
    sink = await new SmtpSink().start();
    stack = await Stack.start({
      env: { REDIS_CLUSTER_NODES: cluster.nodesList, EMAIL_PROVIDER: 'smtp', SMTP_URL: sink.url, EMAIL_FROM: 'OTP <otp@test.local>' },
    });
    projectId = (await stack.createProject('Clustered')).projectId;
  });
  after(async () => {
    await stack?.stop();
    await sink?.stop();
    await cluster?.stop();
  });

  it('runs the email flow: the challenge lives in the cluster, a worker delivers the job, the JWT validates', async () => {
    const sent = await stack.post('/v1/auth/otp/signup/email', { loginId: 'ada@example.com' }, projectId);
    assert.equal(sent.status, 200, sent.text);
    const code = await sink.codeFor('ada@example.com');
    const keys = cluster.keys();
    assert.ok(keys.some((k) => /^otp:\{[A-Za-z0-9_-]{22}\}:challenge$/.test(k)), `no challenge key in the cluster: ${keys.join(', ')}`);
    assert.ok(keys.some((k) => k.startsWith('{otpq}:delivery:')), `no queue key in the cluster: ${keys.join(', ')}`);
    // Nothing went to the single Redis the stack would otherwise use.
    assert.deepEqual(await stack.redis.keys('*'), []);

    const verified = await stack.post('/v1/auth/otp/verify/email', { loginId: 'ada@example.com', code }, projectId);
    assert.equal(verified.status, 200, verified.text);
    assert.equal(verified.body.firstSeen, true);
    const session = await verifyWithJwks(stack, projectId, verified.body.sessionJwt);
    assert.equal(session.sub, verified.body.user.userId);
    // The consumed challenge is gone from the cluster.
    assert.ok(!cluster.keys().some((k) => k.startsWith('otp:{')), cluster.keys().join(', '));
  });

  it('spreads login IDs over all three masters and signs each one in', async () => {
    for (let i = 0; i < 6; i++) {
      const { verified } = await emailSignIn(stack, sink, projectId, 'signup-in', `user${i}@example.com`);
      assert.equal(verified.status, 200, verified.text);
    }
    // 40 login IDs miss one of three masters with a probability of 3 × (2/3)^40, about 3e-7.
    for (let i = 0; i < 40; i++) {
      const sent = await stack.post('/v1/auth/otp/signup-in/email', { loginId: `spread${i}@example.com` }, projectId);
      assert.equal(sent.status, 200, sent.text);
    }
    const holding = cluster.ports.filter((port) => cluster.keysOn(port).some((k) => k.startsWith('otp:')));
    assert.equal(holding.length, 3, 'the challenges should land on every master');
  });

  it('delivers jobs queued while no worker ran once a worker starts, with the hash-tagged queue prefix', async () => {
    await stack.workers[0]!.stop();
    stack.workers.pop();
    const connection = cluster.client();
    const queue = new Queue('delivery', { connection, prefix: '{otpq}' });
    try {
      const before = sink.to('ada@example.com').length;
      const sent = await stack.post('/v1/auth/otp/signin/email', { loginId: 'ada@example.com' }, projectId);
      assert.equal(sent.status, 200, sent.text);
      assert.equal(await queue.getWaitingCount(), 1);
      await stack.startWorker();
      const code = await sink.codeFor('ada@example.com', before + 1);
      const verified = await stack.post('/v1/auth/otp/verify/email', { loginId: 'ada@example.com', code }, projectId);
      assert.equal(verified.status, 200, verified.text);
      await eventually(async () => (await queue.getWaitingCount()) === 0 && (await queue.getActiveCount()) === 0, 5000, `an empty queue (${JSON.stringify(await queue.getJobCounts())})`);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it('enforces rate limits in the cluster: the recipient cooldown, the per-IP send limit and the login-ID attempt budget', async () => {
    const limited = (await stack.createProject('Clustered limits', { ipSendLimit: 3, ipSendWindowSeconds: 60, loginIdWrongAttemptLimit: 2 }, { productionLimits: true })).projectId;
    const first = await stack.post('/v1/auth/otp/signup-in/email', { loginId: 'limit@example.com' }, limited);
    assert.equal(first.status, 200, first.text);
    const cooled = await stack.post('/v1/auth/otp/signup-in/email', { loginId: 'limit@example.com' }, limited);
    assert.equal(cooled.status, 429, cooled.text);
    assert.equal(cooled.body.errorCode, 'E130429');
    assert.ok(Number(cooled.headers.get('retry-after')) > 0);

    const third = await stack.post('/v1/auth/otp/signup-in/email', { loginId: 'other@example.com' }, limited);
    assert.equal(third.status, 200, third.text);
    const overIp = await stack.post('/v1/auth/otp/signup-in/email', { loginId: 'third@example.com' }, limited);
    assert.equal(overIp.status, 429, 'the fourth send from one IP in the window');
    assert.equal(overIp.body.errorCode, 'E130429');

    const code = await sink.codeFor('limit@example.com');
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 2; i++) {
      assert.equal((await stack.post('/v1/auth/otp/verify/email', { loginId: 'limit@example.com', code: wrong }, limited)).body.errorCode, 'E061102');
    }
    const budget = await stack.post('/v1/auth/otp/verify/email', { loginId: 'limit@example.com', code }, limited);
    assert.equal(budget.status, 429, budget.text);
    assert.ok(['E130429', 'E061103'].includes(budget.body.errorCode), budget.text);
    assert.ok(cluster.keys().some((k) => k.startsWith('rl')), 'the rate-limit counters live in the cluster');
  });
});
