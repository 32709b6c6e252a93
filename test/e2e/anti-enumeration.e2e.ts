import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { emailSignIn } from '../support/flows.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { eventually, sleep, Stack } from '../support/stack.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

describe('anti-enumeration mode', () => {
  let stack: Stack;
  let sink: SmtpSink;
  let projectId: string;
  let queue: Queue;

  before(async () => {
    sink = await new SmtpSink().start();
    stack = await Stack.start({ env: { EMAIL_PROVIDER: 'smtp', SMTP_URL: sink.url } });
    projectId = (await stack.createProject('Quiet', { antiEnumeration: true })).projectId;
    queue = new Queue('delivery', { connection: { url: stack.env.REDIS_URL }, prefix: '{otpq}' });
    const signedUp = await emailSignIn(stack, sink, projectId, 'signup', 'kate@example.com');
    assert.equal(signedUp.verified.status, 200);
  });
  after(async () => {
    await queue?.close();
    await stack?.stop();
    await sink?.stop();
  });

  const drained = () => eventually(async () => (await queue.getJobCounts('waiting', 'active', 'delayed')).waiting === 0 && (await queue.getActiveCount()) === 0, 10_000, 'an empty queue');

  it('answers sign-in of an unknown login ID exactly like a known one, sends nothing, and its verify fails as a wrong code', async () => {
    const known = await stack.post('/v1/auth/otp/signin/email', { loginId: 'kate@example.com' }, projectId);
    const unknown = await stack.post('/v1/auth/otp/signin/email', { loginId: 'kurt@example.com' }, projectId);
    assert.equal(unknown.status, known.status);
    assert.equal(unknown.status, 200);
    assert.equal(unknown.text, known.text, 'same body: the mask is computed from the input');
    assert.deepEqual(unknown.body, { maskedEmail: 'k***@example.com' });
    await drained();
    await sleep(300);
    assert.equal(sink.to('kurt@example.com').length, 0, 'nothing is sent to an unknown address');
    for (const code of ['000000', '123456', '999999']) {
      const verify = await stack.post('/v1/auth/otp/verify/email', { loginId: 'kurt@example.com', code }, projectId);
      assert.equal(verify.status, 401);
      assert.equal(verify.body.errorCode, 'E061102');
    }
  });

  it('answers sign-up of an existing login ID like a new one and tells the owner instead of sending a code', async () => {
    const before = sink.to('kate@example.com').length;
    const existing = await stack.post('/v1/auth/otp/signup/email', { loginId: 'kate@example.com' }, projectId);
    const fresh = await stack.post('/v1/auth/otp/signup/email', { loginId: 'kim@example.com' }, projectId);
    assert.equal(existing.status, 200, existing.text);
    assert.equal(existing.text, fresh.text);
    const notice = await sink.waitFor('kate@example.com', before + 1);
    assert.match(notice.subject, /already have/);
    assert.doesNotMatch(notice.text, /\b\d{4,10}\b/, 'the notice carries no code');
    const verify = await stack.post('/v1/auth/otp/verify/email', { loginId: 'kate@example.com', code: '123456' }, projectId);
    assert.equal(verify.body.errorCode, 'E061102');
  });

  it('takes the same time for known and unknown login IDs (medians of 200 requests each differ by less than 2 ms)', async () => {
    const timings = { known: [] as number[], unknown: [] as number[] };
    const measure = async (kind: 'known' | 'unknown', record: boolean) => {
      const started = process.hrtime.bigint();
      const r = await stack.post('/v1/auth/otp/signin/email', { loginId: kind === 'known' ? 'kate@example.com' : 'kurt@example.com' }, projectId);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      assert.equal(r.status, 200, r.text);
      if (record) timings[kind].push(ms);
    };
    for (let i = 0; i < 20; i++) await measure(i % 2 ? 'known' : 'unknown', false);
    for (let i = 0; i < 200; i++) {
      // Alternate the order so drift in machine load falls on both sides alike.
      const first = i % 2 ? 'known' : 'unknown';
      await measure(first, true);
      await measure(first === 'known' ? 'unknown' : 'known', true);
    }
    const difference = Math.abs(median(timings.known) - median(timings.unknown));
    console.log(`anti-enumeration medians: known ${median(timings.known).toFixed(2)} ms, unknown ${median(timings.unknown).toFixed(2)} ms`);
    assert.ok(difference < 2, `medians differ by ${difference.toFixed(2)} ms`);
  });

  it('with the mode off, answers E062107 / E062108 as the contract says', async () => {
    const plain = (await stack.createProject('Plain')).projectId;
    assert.equal((await emailSignIn(stack, sink, plain, 'signup', 'pat@example.com')).verified.status, 200);
    const exists = await stack.post('/v1/auth/otp/signup/email', { loginId: 'pat@example.com' }, plain);
    assert.equal(exists.body.errorCode, 'E062107');
    const unknown = await stack.post('/v1/auth/otp/signin/email', { loginId: 'nobody@example.com' }, plain);
    assert.equal(unknown.body.errorCode, 'E062108');
  });
});
