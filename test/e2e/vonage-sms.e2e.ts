import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { FakeVonage } from '../support/fake-vonage.js';
import { eventually, sleep, spawnNode, Stack } from '../support/stack.js';

/** Spanish mobile numbers (valid, type MOBILE), distinct per test. */
let next = 0;
const mobile = () => `+34633${String(1000000 + ++next).slice(1)}`;

const vonageEnv = (apiBaseUrl: string) => ({
  SMS_PROVIDER: 'vonage',
  VONAGE_API_KEY: FakeVonage.API_KEY,
  VONAGE_API_SECRET: FakeVonage.API_SECRET,
  VONAGE_FROM: '+447700900001',
  VONAGE_API_BASE_URL: `${apiBaseUrl}/`,
});

describe('SMS through Vonage (SQLite)', () => {
  let stack: Stack;
  let vonage: FakeVonage;
  let project: { projectId: string; managementKey: string };

  before(async () => {
    vonage = await new FakeVonage().start();
    stack = await Stack.start({ db: 'sqlite', env: { ...vonageEnv(vonage.url), LOG_LEVEL: 'debug' } });
    project = await stack.createProject('Acme');
  });
  after(async () => {
    await stack?.stop();
    await vonage?.stop();
  });

  const verify = (loginId: string, code: string) => stack.post('/v1/auth/otp/verify/sms', { loginId, code }, project.projectId);

  it('signs up and signs in: Vonage gets the code with the credentials in a form body, and the code verifies', async () => {
    const phone = mobile();
    for (const [route, count] of [['signup', 1], ['signin', 2]] as const) {
      const sent = await stack.post(`/v1/auth/otp/${route}/sms`, { loginId: phone }, project.projectId);
      assert.equal(sent.status, 200, sent.text);
      assert.equal(sent.body.maskedPhone, `+*******${phone.slice(-4)}`);
      const code = await vonage.codeFor(phone, count);
      const verified = await verify(phone, code);
      assert.equal(verified.status, 200, verified.text);
      assert.equal(verified.body.user.phone, phone);
    }
    const [request] = vonage.to(phone);
    assert.equal(request!.contentType, 'application/x-www-form-urlencoded');
    assert.equal(request!.params.api_key, FakeVonage.API_KEY);
    assert.equal(request!.params.api_secret, FakeVonage.API_SECRET);
    assert.equal(request!.params.from, '447700900001', 'numbers go without the +');
    assert.equal(request!.params.to, phone.slice(1));
    assert.equal(request!.params.type, 'text');
    assert.match(request!.params.text!, /Acme/);
    assert.ok(request!.params['client-ref'], 'the job ID travels as client-ref');
  });

  it('sends text outside the GSM alphabet as unicode', async () => {
    const { projectId } = await stack.createProject('Łódź Bank');
    const phone = mobile();
    const sent = await stack.post('/v1/auth/otp/signup/sms', { loginId: phone }, projectId);
    assert.equal(sent.status, 200, sent.text);
    const request = await vonage.waitForAccepted(phone);
    assert.match(request.params.text!, /Łódź Bank/);
    assert.equal(request.params.type, 'unicode');
  });

  it('retries Vonage throttling (status 1) with backoff and delivers once', async () => {
    const phone = mobile();
    vonage.refuseNext(2, '1');
    const sent = await stack.post('/v1/auth/otp/signup/sms', { loginId: phone }, project.projectId);
    assert.equal(sent.status, 200, sent.text);
    const code = await vonage.codeFor(phone);
    assert.equal((await verify(phone, code)).status, 200);
    await sleep(1500);
    assert.deepEqual(
      vonage.to(phone).map((r) => r.status),
      ['1', '1', '0'],
    );
  });

  it('fails the job at once, without retries, when Vonage refuses the number, and the record says failed', async () => {
    const phone = mobile();
    vonage.invalidNumbers.add(phone);
    const sent = await stack.post('/v1/auth/otp/signup/sms', { loginId: phone }, project.projectId);
    assert.equal(sent.status, 200, 'the route answers before delivery');
    const queue = new Queue('delivery', { connection: { url: stack.env.REDIS_URL }, prefix: '{otpq}' });
    try {
      const failed = await eventually(
        async () => (await queue.getFailed()).find((job) => /Vonage status 3: Invalid Message/.test(job.failedReason)),
        10_000,
        'a failed job',
      );
      assert.equal(failed.attemptsMade, 1);
      await sleep(2500);
      assert.equal(vonage.to(phone).length, 1, 'no retry reached Vonage');
      assert.equal((await queue.getJob(failed.id!))?.attemptsMade, 1);
      const list = await stack.request('GET', `/v1/mgmt/deliveries?loginId=${encodeURIComponent(phone)}`, {
        bearer: `${project.projectId}:${project.managementKey}`,
      });
      const [record] = list.body.deliveries;
      assert.equal(record.state, 'failed');
      assert.equal(record.provider, 'vonage');
      assert.match(record.providerError, /Vonage status 3: Invalid Message/);
    } finally {
      await queue.close();
    }
  });

  it('keeps the API secret out of the logs, at debug level', () => {
    const logs = stack.logs();
    assert.match(logs, /"level":20/, 'debug lines are in the capture');
    assert.match(logs, /Vonage status 3/, 'the failure is logged');
    assert.ok(!logs.includes(FakeVonage.API_SECRET), 'the Vonage API secret appears in the logs');
  });
});

describe('Vonage configuration', () => {
  it('refuses to start naming each problem, without quoting the secret; Vonage carries SMS only', async () => {
    const proc = spawnNode('boot', 'dist/main.js', {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      DATABASE_URL: 'sqlite::memory:',
      SMS_PROVIDER: 'vonage',
      VOICE_PROVIDER: 'vonage',
      VONAGE_API_SECRET: FakeVonage.API_SECRET,
      VONAGE_FROM: 'not a sender!',
    });
    assert.equal(await proc.wait(), 1);
    const problems = proc.output.split('\n').filter((l) => l.startsWith('config error: '));
    assert.ok(problems.some((l) => l.startsWith('config error: VONAGE_API_KEY: required when SMS_PROVIDER=vonage')), proc.output);
    assert.ok(problems.some((l) => l.startsWith('config error: VONAGE_FROM="not a sender!"')), proc.output);
    assert.ok(problems.some((l) => l.startsWith('config error: VOICE_PROVIDER=vonage: vonage does not carry voice')), proc.output);
    assert.ok(!proc.output.includes(FakeVonage.API_SECRET), 'the secret is quoted');
  });
});
