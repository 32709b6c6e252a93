import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { decodeJwt } from 'jose';
import { Redis } from 'ioredis';
import { emailSignIn } from '../support/flows.js';
import { freePort } from '../support/ports.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { type DbKind, eventually, type ManagedProcess, productionSecret, spawnNode, Stack } from '../support/stack.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const ADMIN = { user: 'ops', password: 'correct-horse-battery' };
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

/** One HTTP request from a given loopback source address (a second client for per-IP limits). */
function requestFrom(localAddress: string, url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', headers, localAddress }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The exit code of `proc`, or null when it is still running after `ms` (then it is stopped). */
async function exitWithin(proc: ManagedProcess, ms = 20_000): Promise<number | null> {
  const code = await Promise.race([proc.wait(), new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), ms))]);
  if (code !== 'running') return code;
  await proc.stop();
  return null;
}

/** JSON text of an object nested `depth` levels deep. */
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`hardening on ${db}: bad input, idempotent refresh, logs, queue, retried deliveries, mail injection, dashboard, readiness`, () => {
    let stack: Stack;
    let sink: SmtpSink;
    let hooks: WebhookReceiver;
    let project: { projectId: string; managementKey: string };
    let operator: { projectId: string; managementKey: string };
    const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;
    const mgmt = () => `${project.projectId}:${project.managementKey}`;

    before(async () => {
      sink = await new SmtpSink().start();
      hooks = await new WebhookReceiver(webhookSecret).start();
      stack = await Stack.start({
        db,
        workers: 0,
        env: { EMAIL_PROVIDER: 'smtp', SMTP_URL: sink.url, ADMIN_USER: ADMIN.user, ADMIN_PASSWORD: ADMIN.password, DELIVERY_ATTEMPTS: '1' },
      });
      project = await stack.createProject('Hardened', { statusWebhookUrl: hooks.url, statusWebhookSecret: webhookSecret });
      operator = await stack.createProject('Operators');
      // The operator list is read at boot.
      await stack.api.stop();
      await stack.startApi({ ADMIN_PROJECT_IDS: operator.projectId });
      await stack.startWorker();
    });
    after(async () => {
      await stack?.stop();
      await sink?.stop();
      await hooks?.stop();
    });

    it('answers 400 E011003 naming the field to control characters anywhere in the input, and to JSON nested deeper than 32', async () => {
      const refused = [
        await stack.post('/v1/auth/otp/signup/email', { loginId: 'nul\u0000@example.com' }, project.projectId),
        await stack.post('/v1/auth/otp/signup/email', { loginId: 'named@example.com', user: { name: 'Ada\u0000' } }, project.projectId),
        await stack.post('/v2/mgmt/user/search', { text: 'ad\u0000a' }, mgmt()),
        await stack.post('/v1/mgmt/user/create', { loginId: 'created@example.com', name: 'Ada\u0000Lovelace' }, mgmt()),
        await stack.request('GET', '/v1/mgmt/user?loginId=x%00y', { bearer: mgmt() }),
        await stack.post('/v1/auth/otp/signin/email', { loginId: 'bell\u0007@example.com' }, project.projectId),
      ];
      const fields = [/loginId/, /user\.name/, /text/, /name/, /loginId/, /loginId/];
      refused.forEach((res, i) => {
        assert.equal(res.status, 400, `request ${i}: ${res.text}`);
        assert.equal(res.body.errorCode, 'E011003', res.text);
        assert.match(res.body.errorMessage, fields[i]!);
        assert.match(res.body.errorMessage, /control character/);
      });

      const deep = await stack.request('POST', '/v1/auth/otp/signin/email', {
        rawBody: `{"loginId":"deep@example.com","loginOptions":{"customClaims":${nested(5000)}}}`,
        bearer: project.projectId,
      });
      assert.equal(deep.status, 400, deep.text);
      assert.equal(deep.body.errorCode, 'E011003');
      assert.match(deep.body.errorMessage, /nest/);
      const justOver = await stack.request('POST', '/v1/auth/otp/signup/email', {
        rawBody: `{"loginId":"deep@example.com","loginOptions":{"customClaims":${nested(31)}}}`,
        bearer: project.projectId,
      });
      assert.equal(justOver.status, 400, 'the body is 33 levels deep');
      const fine = await stack.request('POST', '/v1/auth/otp/signup/email', {
        rawBody: `{"loginId":"deep@example.com","loginOptions":{"customClaims":${nested(30)}}}`,
        bearer: project.projectId,
      });
      assert.equal(fine.status, 200, fine.text);
      assert.doesNotMatch(stack.logs(), /"statusCode":500/);
    });

    it('answers a refresh JWT reused within the grace window with the same successor tokens, even when both refreshes race', async () => {
      const { verified } = await emailSignIn(stack, sink, project.projectId, 'signup-in', 'refresher@example.com');
      assert.equal(verified.status, 200, verified.text);
      const refresh = (jwt: string) => stack.post('/v1/auth/refresh', {}, `${project.projectId}:${jwt}`);

      const first = await refresh(verified.body.refreshJwt);
      const second = await refresh(verified.body.refreshJwt);
      assert.equal(first.status, 200, first.text);
      assert.equal(second.status, 200, second.text);
      assert.equal(decodeJwt(second.body.refreshJwt).jti, decodeJwt(first.body.refreshJwt).jti, 'one successor, not a fork');
      assert.equal(second.body.refreshJwt, first.body.refreshJwt);
      assert.equal(second.body.sessionJwt, first.body.sessionJwt);

      const [a, b] = await Promise.all([refresh(first.body.refreshJwt), refresh(first.body.refreshJwt)]);
      assert.equal(a.status, 200, a.text);
      assert.equal(b.status, 200, b.text);
      assert.equal(decodeJwt(a.body.refreshJwt).jti, decodeJwt(b.body.refreshJwt).jti, 'two racing refreshes get one successor');
      assert.notEqual(decodeJwt(a.body.refreshJwt).jti, decodeJwt(first.body.refreshJwt).jti);
      assert.equal((await refresh(a.body.refreshJwt)).status, 200, 'the chain goes on');
    });

    it('keeps query parameters (the plaintext login ID) out of the logs when a query fails', async () => {
      const loginId = 'duplicate.owner@example.com';
      assert.equal((await stack.post('/v1/mgmt/user/create', { loginId }, mgmt())).status, 200);
      const again = await stack.post('/v1/mgmt/user/create', { loginId }, mgmt());
      assert.equal(again.status, 400);
      await stack.post('/v1/auth/otp/signup/email', { loginId }, project.projectId);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const logs = stack.logs();
      assert.doesNotMatch(logs, /PARAMETERS/);
      assert.ok(!logs.includes(loginId), 'the login ID appears in the logs');
    });

    it('queues anti-enumeration decoys exactly like real sign-ins: same job name, same data keys, no type marker', async () => {
      const enumProject = await stack.createProject('Quiet', { antiEnumeration: true });
      assert.equal((await emailSignIn(stack, sink, enumProject.projectId, 'signup', 'known@example.com')).verified.status, 200);
      const connection = new Redis(stack.env.REDIS_URL!, { maxRetriesPerRequest: null });
      const queue = new Queue('delivery', { connection, prefix: '{otpq}' });
      await queue.pause();
      try {
        assert.equal((await stack.post('/v1/auth/otp/signin/email', { loginId: 'known@example.com' }, enumProject.projectId)).status, 200);
        assert.equal((await stack.post('/v1/auth/otp/signin/email', { loginId: 'nobody@example.com' }, enumProject.projectId)).status, 200);
        const jobs = await eventually(async () => {
          const waiting = (await queue.getJobs(['waiting', 'prioritized'])).filter((j) => j.data.projectId === enumProject.projectId);
          return waiting.length === 2 && waiting;
        }, 10_000, 'two queued jobs');
        const [real, decoy] = jobs;
        assert.equal(real!.name, decoy!.name);
        assert.deepEqual(Object.keys(real!.data).sort(), Object.keys(decoy!.data).sort());
        assert.equal(real!.data.type, decoy!.data.type);
        const visible = jobs.map(({ data: { sealed: _sealed, ...rest } }) => rest);
        assert.ok(!JSON.stringify(visible).includes('none'), 'no job says it is a decoy');
      } finally {
        await queue.resume();
        await queue.close();
        connection.disconnect();
      }
      await sink.waitFor('known@example.com', 2);
    });

    it('moves a failed delivery record to sent when a retry of its job succeeds, and tells the status webhook', async () => {
      const loginId = 'retried@example.com';
      sink.deferred.add(loginId);
      assert.equal((await stack.post('/v1/auth/otp/signup/email', { loginId }, project.projectId)).status, 200);
      const failed = await eventually(async () => {
        const list = await stack.request('GET', `/v1/mgmt/deliveries?loginId=${loginId}`, { bearer: mgmt() });
        return list.body.deliveries?.[0]?.state === 'failed' && list.body.deliveries[0];
      }, 15_000, 'a failed delivery');
      sink.deferred.delete(loginId);

      const path = `/admin/queues/api/queues/delivery/${failed.challengeId}/retry`;
      const retried = await stack.request('PUT', path, { headers: basic(ADMIN.user, ADMIN.password) });
      assert.ok(retried.status < 300, retried.text);

      await sink.waitFor(loginId, 1, 15_000);
      const sent = await eventually(async () => {
        const one = await stack.request('GET', `/v1/mgmt/deliveries/${failed.deliveryId}`, { bearer: mgmt() });
        return one.body.delivery?.state === 'sent' && one.body.delivery;
      }, 10_000, 'the record to follow the retry');
      assert.equal(sent.failedTime, null);
      await eventually(() => {
        const types = hooks
          .payloads<{ type: string; data: { deliveryId: string; updatedTime: number } }>()
          .filter((e) => e.data.deliveryId === failed.deliveryId)
          .map((e) => e.type);
        return types.includes('delivery.failed') && types.includes('delivery.sent');
      }, 10_000, 'the webhook to hear of the retry');
    });

    if (db === 'sqlite') {
      it('refuses long, multi-line or too many template options with 400 E011003, and never lets one render as a link', async () => {
        const send = (templateOptions: unknown, loginId = 'templated@example.com') =>
          stack.post('/v1/auth/otp/signup-in/email', { loginId, loginOptions: { templateOptions } }, project.projectId);
        const injection = 'Ada\n\nSECURITY ALERT: your account is locked, reset it at https://evil.example/reset';
        for (const [options, why] of [
          [{ name: injection }, /templateOptions/],
          [{ name: 'x'.repeat(101) }, /100 characters/],
          [{ name: 'Ada\u2028Lovelace' }, /templateOptions/],
          [Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])), /20 keys/],
          [{ name: { nested: 'object' } }, /templateOptions/],
        ] as const) {
          const res = await send(options);
          assert.equal(res.status, 400, `${JSON.stringify(options)}: ${res.text}`);
          assert.equal(res.body.errorCode, 'E011003');
          assert.match(res.body.errorMessage, why);
        }

        const linky = 'Ada see https://evil.example/reset or www.evil.example or evil.example.com';
        assert.equal((await send({ name: linky }, 'linky@example.com')).status, 200);
        const mail = await sink.waitFor('linky@example.com');
        const domainLike = /(https?:\/\/|www\.[a-z0-9]|\b[a-z0-9-]+\.[a-z]{2,}\b)/i;
        const greeting = mail.text.split('\n')[0]!;
        assert.match(greeting, /Ada/);
        assert.doesNotMatch(greeting, domainLike, greeting);
        const htmlGreeting = /<p>([^<]*Ada[^<]*)<\/p>/.exec(mail.html)?.[1] ?? '';
        assert.ok(htmlGreeting, mail.html);
        assert.doesNotMatch(htmlGreeting.replace(/&#8203;/g, '\u200b'), domainLike, htmlGreeting);
        assert.doesNotMatch(mail.html, /<a\b/i);
      });

      it('lets only the operator credentials act on the dashboard and rate-limits its failed logins per IP', async () => {
        const operatorBearer = { authorization: `Bearer ${operator.projectId}:${operator.managementKey}` };
        assert.equal((await stack.request('GET', '/admin/queues/api/queues', { headers: operatorBearer })).status, 200, 'an operator key may look');
        const pause = await stack.request('PUT', '/admin/queues/api/queues/delivery/pause', { headers: operatorBearer });
        assert.equal(pause.status, 403, pause.text);
        assert.equal(pause.body.errorCode, 'E011004');
        const paused = await stack.request('PUT', '/admin/queues/api/queues/delivery/pause', { headers: basic(ADMIN.user, ADMIN.password) });
        assert.ok(paused.status < 300, paused.text);
        assert.ok((await stack.request('PUT', '/admin/queues/api/queues/delivery/resume', { headers: basic(ADMIN.user, ADMIN.password) })).status < 300);

        // A second client (127.0.0.2) guesses passwords; the first keeps working.
        const url = `${stack.baseUrl}/admin/queues/api/queues`;
        for (let i = 0; i < 10; i++) assert.equal((await requestFrom('127.0.0.2', url, basic(ADMIN.user, `guess-${i}-password`))).status, 401);
        const blocked = await requestFrom('127.0.0.2', url, basic(ADMIN.user, ADMIN.password));
        assert.equal(blocked.status, 429, blocked.text);
        assert.equal(JSON.parse(blocked.text).errorCode, 'E130429');
        assert.ok(Number(blocked.headers['retry-after']) > 0);
        assert.equal((await requestFrom('127.0.0.1', url, basic(ADMIN.user, ADMIN.password))).status, 200, 'another IP is not blocked');
      });

      it('caches readiness for a second: twenty probes cost one round of checks', async () => {
        const dbIndex = Number(new URL(stack.env.REDIS_URL!).pathname.slice(1));
        const client = new Redis(stack.env.REDIS_URL!);
        const monitor = await client.monitor();
        let pings = 0;
        monitor.on('monitor', (_time: string, args: string[], _source: string, database: string) => {
          if (Number(database) === dbIndex && String(args[0]).toLowerCase() === 'ping') pings++;
        });
        try {
          await new Promise((resolve) => setTimeout(resolve, 1100));
          pings = 0;
          const answers = await Promise.all(Array.from({ length: 20 }, () => stack.request('GET', '/health/ready')));
          for (const a of answers) assert.equal(a.status, 200);
          await new Promise((resolve) => setTimeout(resolve, 200));
          assert.ok(pings <= 2, `${pings} Redis pings for 20 probes`);
        } finally {
          monitor.disconnect();
          client.disconnect();
        }
      });
    }
  });
}

describe('production secrets and metrics', () => {
  const base = () => ({ PATH: process.env.PATH ?? '', NODE_ENV: 'production', HOST: '127.0.0.1', EMAIL_PROVIDER: 'smtp', SMTP_URL: 'smtp://127.0.0.1:9' });

  for (const [what, secret] of [
    ['the published development secret', 'development-only-otp-secret-do-not-use-in-production'],
    ['48 × "a"', 'a'.repeat(48)],
    ['a long but patterned secret', 'abcdefghijklmnopqrstuvwxyz0123456789abcdefghijkl'],
  ] as const) {
    it(`refuses to start in production with ${what}, in one config-error line`, async () => {
      const proc = spawnNode('prod', 'dist/main.js', { ...base(), PORT: String(await freePort()), OTP_SECRET: secret, DATABASE_URL: 'sqlite::memory:' });
      assert.equal(await exitWithin(proc), 1, proc.output);
      const lines = proc.output.split('\n').filter((l) => l.startsWith('config error: '));
      assert.equal(lines.length, 1, proc.output);
      assert.match(lines[0]!, /^config error: OTP_SECRET/);
      assert.ok(!proc.output.includes(secret), 'the secret is not echoed');
    });
  }

  it('stops an API or a worker whose OTP_SECRET differs from the one the running deployment uses', async () => {
    const stack = await Stack.start({ workers: 0 });
    try {
      for (const script of ['dist/worker.js', 'dist/main.js']) {
        const proc = spawnNode('other-secret', script, { ...stack.env, PORT: String(await freePort()), OTP_SECRET: productionSecret() });
        assert.equal(await exitWithin(proc), 1, proc.output);
        assert.match(proc.output, /config error: OTP_SECRET.*differs/);
      }
      const same = await stack.startWorker();
      assert.ok(same.running, 'a worker with the same secret starts');
    } finally {
      await stack.stop();
    }
  });

  it('serves /metrics in production only with METRICS_TOKEN on the public port, or on METRICS_PORT', async () => {
    const metricsPort = await freePort();
    const stack = await Stack.start({ workers: 0, env: { ...base(), OTP_SECRET: productionSecret(), METRICS_PORT: String(metricsPort) } });
    try {
      const open = await stack.request('GET', '/metrics');
      assert.equal(open.status, 401, 'no public metrics in production without a token');
      assert.doesNotMatch(open.text, /otp_funnel_total/);
      const internal = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      assert.equal(internal.status, 200);
      assert.match(await internal.text(), /http_requests_total/);
    } finally {
      await stack.stop();
    }
  });
});
