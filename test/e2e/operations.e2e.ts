import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { emailSignIn } from '../support/flows.js';
import { sample } from '../support/metrics.js';
import { freePort } from '../support/ports.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { type DbKind, eventually, Stack } from '../support/stack.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const ADMIN = { user: 'ops', password: 'correct-horse-battery' };
const METRICS_TOKEN = 'metrics-token-0123456789';

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`operations on ${db}: delivery records, audit, metrics, logs, dashboard, CORS`, () => {
    let stack: Stack;
    let sink: SmtpSink;
    let hooks: WebhookReceiver;
    let workerPort: number;
    let project: { projectId: string; managementKey: string };
    let operator: { projectId: string; managementKey: string };
    const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;

    before(async () => {
      sink = await new SmtpSink().start();
      hooks = await new WebhookReceiver(webhookSecret).start();
      stack = await Stack.start({
        db,
        workers: 0,
        env: {
          EMAIL_PROVIDER: 'smtp',
          SMTP_URL: sink.url,
          METRICS_TOKEN,
          ADMIN_USER: ADMIN.user,
          ADMIN_PASSWORD: ADMIN.password,
          CORS_ORIGINS: 'https://global.example.com',
        },
      });
      project = await stack.createProject('Ops', {
        statusWebhookUrl: hooks.url,
        statusWebhookSecret: webhookSecret,
        corsOrigins: 'https://app.example.com',
      });
      operator = await stack.createProject('Operators');
      // The dashboard's operator list is read at boot: restart the API knowing the operator project.
      await stack.api.stop();
      await stack.startApi({ ADMIN_PROJECT_IDS: operator.projectId });
      workerPort = await freePort();
      await stack.startWorker({ WORKER_HEALTH_PORT: String(workerPort) });
    });
    after(async () => {
      await stack?.stop();
      await sink?.stop();
      await hooks?.stop();
    });

    const mgmt = () => `${project.projectId}:${project.managementKey}`;

    it('records deliveries queued → sent over SMTP and queued → failed with the provider error, shows them without the code, and signs every change to the webhook', async () => {
      const { verified, code } = await emailSignIn(stack, sink, project.projectId, 'signup', 'rec@example.com');
      assert.equal(verified.status, 200);
      sink.rejected.add('bounce@example.com');
      const sent = await stack.post('/v1/auth/otp/signup/email', { loginId: 'bounce@example.com' }, project.projectId);
      assert.equal(sent.status, 200, 'the send route answers before delivery, failure or not');

      const ok = await eventually(async () => {
        const list = await stack.request('GET', '/v1/mgmt/deliveries?loginId=REC@example.com', { bearer: mgmt() });
        return list.body.deliveries?.[0]?.state === 'sent' && list;
      }, 10_000, 'a sent delivery');
      assert.equal(ok.status, 200);
      const record = ok.body.deliveries[0];
      assert.equal(record.channel, 'email');
      assert.equal(record.provider, 'smtp');
      assert.equal(record.recipient, 'r***@example.com');
      assert.equal(record.attempts, 1);
      assert.ok(record.providerMessageId, 'the SMTP message ID is kept');
      assert.ok(record.sentTime >= record.createdTime);
      assert.doesNotMatch(ok.text, new RegExp(`\\b${code}\\b`), 'the code never appears');

      const bad = await eventually(async () => {
        const list = await stack.request('GET', '/v1/mgmt/deliveries?loginId=bounce@example.com', { bearer: mgmt() });
        return list.body.deliveries?.[0]?.state === 'failed' && list.body.deliveries[0];
      }, 10_000, 'a failed delivery');
      assert.match(bad.providerError, /SMTP 550/);
      assert.equal(bad.attempts, 1, 'a permanent failure is not retried');
      assert.ok(bad.failedTime);
      const one = await stack.request('GET', `/v1/mgmt/deliveries/${bad.deliveryId}`, { bearer: mgmt() });
      assert.equal(one.body.delivery.state, 'failed');

      const anonymous = await stack.request('GET', '/v1/mgmt/deliveries?loginId=rec@example.com', { bearer: project.projectId });
      assert.equal(anonymous.status, 401);
      const otherProject = await stack.request('GET', `/v1/mgmt/deliveries/${bad.deliveryId}`, { bearer: `${operator.projectId}:${operator.managementKey}` });
      assert.equal(otherProject.status, 404, 'another project cannot read the record');

      const events = await eventually(() => {
        const parsed = hooks.payloads<{ type: string; data: { deliveryId: string; updatedTime: number } }>();
        // API and worker post independently, so arrival order is not state order: the record's time is.
        const states = (id: string) => parsed.filter((e) => e.data.deliveryId === id).sort((a, b) => a.data.updatedTime - b.data.updatedTime).map((e) => e.type);
        return states(record.deliveryId).length === 2 && states(bad.deliveryId).length === 2 && { states };
      }, 10_000, 'four webhook calls');
      assert.deepEqual(events.states(record.deliveryId), ['delivery.queued', 'delivery.sent']);
      assert.deepEqual(events.states(bad.deliveryId), ['delivery.queued', 'delivery.failed']);
      assert.throws(() => new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(hooks.received[0]!.raw, hooks.received[0]!.headers));
    });

    it('lists a sign-in, a wrong code, a logout and a lockout in the audit trail, in order and page by page', async () => {
      const loginId = 'audit@example.com';
      const signedIn = await emailSignIn(stack, sink, project.projectId, 'signup', loginId);
      assert.equal(signedIn.verified.status, 200);
      const n = sink.to(loginId).length;
      await stack.post('/v1/auth/otp/signin/email', { loginId }, project.projectId);
      const code = await sink.codeFor(loginId, n + 1);
      const wrong = code === '000000' ? '111111' : '000000';
      const response = await stack.request('POST', '/v1/auth/otp/verify/email', {
        body: { loginId, code: wrong },
        bearer: project.projectId,
        headers: { 'user-agent': 'audit-test/1.0' },
      });
      assert.equal(response.status, 401);
      const logout = await stack.request('POST', '/v1/auth/logout', { bearer: `${project.projectId}:${signedIn.verified.body.refreshJwt}` });
      assert.equal(logout.status, 200, logout.text);
      for (let i = 0; i < 5; i++) await stack.post('/v1/auth/otp/verify/email', { loginId, code: wrong }, project.projectId);

      const all: any[] = [];
      let cursor = 0;
      for (let page = 0; page < 20; page++) {
        const got = await stack.request('GET', `/v1/mgmt/audit?limit=3&cursor=${cursor}`, { bearer: mgmt() });
        assert.equal(got.status, 200, got.text);
        assert.ok(got.body.events.length <= 3);
        all.push(...got.body.events);
        if (got.body.nextCursor === null) break;
        cursor = got.body.nextCursor;
      }
      const mine = all.filter((e) => e.loginId === 'a***@example.com');
      assert.deepEqual(
        mine.map((e) => e.action),
        ['sign_in', 'wrong_code', 'logout', 'wrong_code', 'wrong_code', 'wrong_code', 'wrong_code', 'lockout'],
      );
      assert.equal(mine[0].outcome, 'success');
      assert.equal(mine[0].method, 'email');
      assert.equal(mine[1].userAgent, 'audit-test/1.0');
      assert.equal(mine[1].ip, '127.0.0.1');
      assert.equal(mine[1].userId, mine[0].userId);
      assert.equal(mine[2].userId, mine[0].userId);
      assert.ok(mine.every((e, i) => i === 0 || e.seq > mine[i - 1].seq));
      assert.doesNotMatch(JSON.stringify(all), new RegExp(`\\b${code}\\b`));
      const refused = await stack.request('GET', '/v1/mgmt/audit', { bearer: `${project.projectId}:Kwrong` });
      assert.equal(refused.status, 401);
    });

    it('records a refresh-token reuse after the grace window as refresh theft', async () => {
      const thief = await stack.createProject('Theft', { refreshGraceSeconds: 0 });
      const loginId = 'victim@example.com';
      const { verified } = await emailSignIn(stack, sink, thief.projectId, 'signup', loginId);
      const refreshJwt = verified.body.refreshJwt;
      const first = await stack.request('POST', '/v1/auth/refresh', { bearer: `${thief.projectId}:${refreshJwt}` });
      assert.equal(first.status, 200, first.text);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const reuse = await stack.request('POST', '/v1/auth/refresh', { bearer: `${thief.projectId}:${refreshJwt}` });
      assert.equal(reuse.status, 401);
      const trail = await stack.request('GET', '/v1/mgmt/audit', { bearer: `${thief.projectId}:${thief.managementKey}` });
      assert.deepEqual(trail.body.events.map((e: any) => e.action), ['sign_in', 'refresh_theft']);
      assert.equal(trail.body.events[1].userId, verified.body.user.userId);
    });

    it('exposes the OTP funnel in /metrics (behind METRICS_TOKEN) and the counters move as a user signs in', async () => {
      const scrape = async () => {
        const got = await stack.request('GET', '/metrics', { bearer: METRICS_TOKEN });
        assert.equal(got.status, 200);
        return got.text;
      };
      const workerScrape = async () => (await fetch(`http://127.0.0.1:${workerPort}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
      assert.equal((await stack.request('GET', '/metrics')).status, 401);
      const labels = (outcome: string) => ({ project: project.projectId, channel: 'email', outcome });
      const before = await scrape();
      const workerBefore = await workerScrape();

      const loginId = 'metrics@example.com';
      await emailSignIn(stack, sink, project.projectId, 'signup-in', loginId);
      const n = sink.to(loginId).length;
      await stack.post('/v1/auth/otp/signin/email', { loginId }, project.projectId);
      const code = await sink.codeFor(loginId, n + 1);
      await stack.post('/v1/auth/otp/verify/email', { loginId, code: code === '000000' ? '111111' : '000000' }, project.projectId);
      const after = await scrape();

      assert.equal(sample(after, 'otp_funnel_total', labels('queued')) - sample(before, 'otp_funnel_total', labels('queued')), 2);
      assert.equal(sample(after, 'otp_funnel_total', labels('verified')) - sample(before, 'otp_funnel_total', labels('verified')), 1);
      assert.equal(sample(after, 'otp_funnel_total', labels('wrong_code')) - sample(before, 'otp_funnel_total', labels('wrong_code')), 1);
      const route = { method: 'POST', route: '/v1/auth/otp/verify/email' };
      assert.equal(sample(after, 'http_requests_total', { ...route, status: '200' }) - sample(before, 'http_requests_total', { ...route, status: '200' }), 1);
      assert.equal(sample(after, 'http_requests_total', { ...route, status: '401' }) - sample(before, 'http_requests_total', { ...route, status: '401' }), 1);
      assert.ok(sample(after, 'http_request_duration_seconds_count', route) > 0);
      for (const state of ['waiting', 'active', 'delayed', 'failed']) assert.match(after, new RegExp(`delivery_queue_jobs\\{state="${state}"\\} \\d+`));
      assert.match(after, /# TYPE rate_limit_refusals_total counter/);

      const workerAfter = await eventually(async () => {
        const text = await workerScrape();
        return sample(text, 'otp_funnel_total', labels('sent')) - sample(workerBefore, 'otp_funnel_total', labels('sent')) === 2 && text;
      }, 5000, 'the worker counting two sent codes');
      assert.ok(sample(workerAfter, 'otp_delivery_latency_seconds_count', { channel: 'email', provider: 'smtp' }) >= 2);
      assert.equal((await fetch(`http://127.0.0.1:${workerPort}/metrics`)).status, 401);
      const live = await fetch(`http://127.0.0.1:${workerPort}/health/live`);
      assert.equal(live.status, 200);
      const ready = await fetch(`http://127.0.0.1:${workerPort}/health/ready`);
      assert.equal(ready.status, 200);
      assert.equal(((await ready.json()) as { status: string }).status, 'ok');
    });

    it('carries the request ID from the API log line into the worker log line for that delivery', async () => {
      const requestId = `req-${randomBytes(6).toString('hex')}`;
      const n = sink.to('rec@example.com').length;
      const sent = await stack.request('POST', '/v1/auth/otp/signin/email', {
        body: { loginId: 'rec@example.com' },
        bearer: project.projectId,
        headers: { 'x-request-id': requestId },
      });
      assert.equal(sent.status, 200);
      await sink.waitFor('rec@example.com', n + 1);
      const lines = (output: string) => output.split('\n').filter((line) => line.includes(requestId)).map((line) => JSON.parse(line));
      const apiLines = await eventually(() => lines(stack.api.output).length > 0 && lines(stack.api.output), 5000, 'the API request line');
      assert.equal(apiLines.length, 1, 'one line per request');
      assert.equal(apiLines[0].req.id, requestId);
      assert.equal(apiLines[0].statusCode, 200);
      assert.equal(apiLines[0].msg, 'request completed');
      const workerLines = await eventually(() => lines(stack.workers[0]!.output).length > 0 && lines(stack.workers[0]!.output), 5000, 'the worker line');
      assert.equal(workerLines[0].msg, 'delivered');
      assert.equal(workerLines[0].requestId, requestId);
    });

    it('serves /health/live and /health/ready on the API', async () => {
      assert.deepEqual((await stack.request('GET', '/health/live')).body, { status: 'ok' });
      const ready = await stack.request('GET', '/health/ready');
      assert.equal(ready.status, 200);
      assert.deepEqual(Object.keys(ready.body.details).sort(), ['database', 'queue', 'redis']);
      const doc = await stack.request('GET', '/docs/json');
      assert.ok(!Object.keys(doc.body.paths).some((p) => p.startsWith('/health') || p.startsWith('/metrics')), 'health and metrics stay out of Swagger');
    });

    it('refuses the queue dashboard to anonymous callers and serves it with operator credentials', async () => {
      const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
      const anonymous = await stack.request('GET', '/admin/queues');
      assert.equal(anonymous.status, 401);
      assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic/);
      assert.equal((await stack.request('GET', '/admin/queues/api/queues')).status, 401, 'the dashboard API is guarded too');
      assert.equal((await stack.request('GET', '/admin/queues', { headers: basic(ADMIN.user, 'wrong-password-here') })).status, 401);
      assert.equal((await stack.request('GET', '/admin/queues', { bearer: mgmt() })).status, 401, 'a non-operator project is refused');

      const page = await stack.request('GET', '/admin/queues', { headers: basic(ADMIN.user, ADMIN.password) });
      assert.equal(page.status, 200);
      assert.match(page.text, /<title>OTP delivery<\/title>/);
      const api = await stack.request('GET', '/admin/queues/api/queues', { headers: basic(ADMIN.user, ADMIN.password) });
      assert.equal(api.status, 200);
      assert.ok(api.body.queues.some((q: { name: string }) => q.name === 'delivery'));
      const asOperator = await stack.request('GET', '/admin/queues', { bearer: `${operator.projectId}:${operator.managementKey}` });
      assert.equal(asOperator.status, 200);
    });

    it('answers a CORS preflight with x-descope-* headers from an allowed origin, and not from another', async () => {
      const preflight = (origin: string) =>
        stack.request('OPTIONS', '/v1/auth/otp/signin/email', {
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization,content-type,x-descope-sdk-name,x-descope-sdk-version',
          },
        });
      for (const origin of ['https://global.example.com', 'https://app.example.com']) {
        const allowed = await preflight(origin);
        assert.ok(allowed.status < 300, `${origin}: ${allowed.status}`);
        assert.equal(allowed.headers.get('access-control-allow-origin'), origin);
        assert.equal(allowed.headers.get('access-control-allow-credentials'), 'true');
        const headers = (allowed.headers.get('access-control-allow-headers') ?? '').split(/\s*,\s*/);
        for (const h of ['authorization', 'content-type', 'x-descope-sdk-name', 'x-descope-sdk-version']) assert.ok(headers.includes(h), `${h} in ${headers}`);
      }
      const refused = await preflight('https://evil.example.com');
      assert.equal(refused.headers.get('access-control-allow-origin'), null);

      const post = (origin: string, bearer: string) =>
        stack.request('POST', '/v1/auth/otp/signin/email', { body: { loginId: 'rec@example.com' }, bearer, headers: { origin } });
      const own = await post('https://app.example.com', project.projectId);
      assert.equal(own.headers.get('access-control-allow-origin'), 'https://app.example.com');
      const foreign = await post('https://app.example.com', operator.projectId);
      assert.equal(foreign.headers.get('access-control-allow-origin'), null, "another project's origin is not this project's");
    });
  });
}
