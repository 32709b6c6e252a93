import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SmtpSink } from '../support/smtp-sink.js';
import { type ApiResponse, sleep, Stack } from '../support/stack.js';

function assertLimited(response: ApiResponse, maxRetryAfter: number, what: string): number {
  assert.equal(response.status, 429, `${what}: ${response.text}`);
  assert.equal(response.body.errorCode, 'E130429', what);
  assert.deepEqual(Object.keys(response.body).sort(), ['errorCode', 'errorDescription', 'errorMessage']);
  const retryAfter = Number(response.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= maxRetryAfter, `${what}: Retry-After ${retryAfter}`);
  return retryAfter;
}

describe('rate limits', () => {
  let stack: Stack;
  let sink: SmtpSink;
  /** A second API process on the same Redis and database; it trusts X-Forwarded-For from 127.0.0.1. */
  let proxied: string;

  before(async () => {
    sink = await new SmtpSink().start();
    stack = await Stack.start({ env: { EMAIL_PROVIDER: 'smtp', SMTP_URL: sink.url } });
    proxied = (await stack.startExtraApi({ TRUSTED_PROXIES: '127.0.0.1', RATE_LIMIT_GLOBAL_PER_IP: '20' })).baseUrl;
  });
  after(async () => {
    await stack?.stop();
    await sink?.stop();
  });

  const send = (projectId: string, loginId: string, options: { via?: string; ip?: string; route?: string } = {}) =>
    stack.request('POST', `/v1/auth/otp/${options.route ?? 'signup-in'}/email`, {
      body: { loginId },
      bearer: projectId,
      baseUrl: options.via,
      headers: options.ip ? { 'x-forwarded-for': options.ip } : {},
    });

  it('limits sends per IP, one count shared by two API processes; X-Forwarded-For only from trusted proxies', async () => {
    const { projectId } = await stack.createProject('IP sends', { ipSendLimit: 4, ipSendWindowSeconds: 60 });
    assert.equal((await send(projectId, 'a1@example.com')).status, 200);
    assert.equal((await send(projectId, 'a2@example.com', { via: proxied })).status, 200);
    assert.equal((await send(projectId, 'a3@example.com')).status, 200);
    assert.equal((await send(projectId, 'a4@example.com', { via: proxied })).status, 200);
    assertLimited(await send(projectId, 'a5@example.com'), 60, 'fifth send through the first API');
    assertLimited(await send(projectId, 'a5@example.com', { via: proxied }), 60, 'fifth send through the second API');
    // The first API trusts no proxy: a forged header does not buy a new count.
    assertLimited(await send(projectId, 'a5@example.com', { ip: '203.0.113.7' }), 60, 'untrusted X-Forwarded-For');
    // The second trusts 127.0.0.1, so the forwarded client is counted on its own.
    assert.equal((await send(projectId, 'a5@example.com', { via: proxied, ip: '203.0.113.7' })).status, 200);
  });

  it('counts IPv6 clients per /64', async () => {
    const { projectId } = await stack.createProject('IPv6', { ipSendLimit: 3, ipSendWindowSeconds: 60 });
    for (const [i, ip] of ['2001:db8:1:2::1', '2001:db8:1:2:aaaa::2', '2001:db8:1:2:ffff:ffff:ffff:fff0'].entries()) {
      assert.equal((await send(projectId, `v6-${i}@example.com`, { via: proxied, ip })).status, 200, ip);
    }
    assertLimited(await send(projectId, 'v6-x@example.com', { via: proxied, ip: '2001:db8:1:2:1234::9' }), 60, 'same /64');
    assert.equal((await send(projectId, 'v6-y@example.com', { via: proxied, ip: '2001:db8:1:3::1' })).status, 200, 'next /64');
  });

  it('limits verifies per IP', async () => {
    const { projectId } = await stack.createProject('IP verifies', { ipVerifyLimit: 3, ipVerifyWindowSeconds: 60 });
    for (let i = 0; i < 3; i++) {
      const wrong = await stack.post('/v1/auth/otp/verify/email', { loginId: 'nobody@example.com', code: '123456' }, projectId);
      assert.equal(wrong.status, 401);
    }
    assertLimited(await stack.post('/v1/auth/otp/verify/email', { loginId: 'nobody@example.com', code: '123456' }, projectId), 60, 'fourth verify');
    // Sends are a separate layer.
    assert.equal((await send(projectId, 'still-sends@example.com')).status, 200);
  });

  it('caps every route per IP, whatever the project (global layer)', async () => {
    const ip = '198.51.100.9';
    const { projectId } = await stack.createProject('Global');
    let answered = 0;
    for (; answered < 25; answered++) {
      const keys = await stack.request('GET', `/v2/keys/${projectId}`, { baseUrl: proxied, headers: { 'x-forwarded-for': ip } });
      if (keys.status === 429) {
        assertLimited(keys, 300, 'global cap');
        break;
      }
      assert.equal(keys.status, 200);
    }
    assert.equal(answered, 20, 'the 21st request of the window is refused');
  });

  it('limits one recipient across IPs: a cooldown between sends and a cap per window', async () => {
    const { projectId } = await stack.createProject('Recipient', { recipientCooldownSeconds: 2, recipientLimit: 3, recipientWindowSeconds: 60 }, { productionLimits: true });
    const victim = 'victim@example.com';
    assert.equal((await send(projectId, victim, { via: proxied, ip: '192.0.2.1' })).status, 200);
    const cooled = assertLimited(await send(projectId, victim, { via: proxied, ip: '192.0.2.2' }), 2, 'cooldown from another IP');
    await sleep(cooled * 1000 + 100);
    assert.equal((await send(projectId, victim, { via: proxied, ip: '192.0.2.3' })).status, 200);
    await sleep(2100);
    assert.equal((await send(projectId, ' Victim@Example.com ', { via: proxied, ip: '192.0.2.4' })).status, 200, 'normalised address');
    await sleep(2100);
    const capped = assertLimited(await send(projectId, victim, { via: proxied, ip: '192.0.2.5' }), 60, 'fourth send in the window');
    assert.ok(capped > 50, `the cap waits for the oldest send to leave the window (${capped} s)`);
    assert.equal(sink.to(victim).length, 3);
  });

  it('applies the default 30 s cooldown, exactly once among 20 concurrent sends', async () => {
    const { projectId } = await stack.createProject('Concurrent', {}, { productionLimits: true });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => send(projectId, 'burst@example.com', { via: proxied, ip: `192.0.2.${100 + i}` })),
    );
    assert.equal(results.filter((r) => r.status === 200).length, 1);
    for (const r of results.filter((r) => r.status !== 200)) assertLimited(r, 30, 'concurrent send');
    await sink.waitFor('burst@example.com');
    await sleep(300);
    assert.equal(sink.to('burst@example.com').length, 1);
  });

  it('stops a project at its hourly message budget with an alert-level log line', async () => {
    const { projectId } = await stack.createProject('Budget', { messageBudgetEmail: 3 });
    for (let i = 0; i < 3; i++) assert.equal((await send(projectId, `b${i}@example.com`)).status, 200);
    const refused = await send(projectId, 'b3@example.com');
    assertLimited(refused, 3600, 'over budget');
    assert.match(refused.body.errorMessage, /budget/);
    assertLimited(await send(projectId, 'b4@example.com'), 3600, 'still over budget');
    await sleep(200);
    const alerts = stack.logs().split('\n').filter((line) => line.includes('"alert":true') && line.includes(projectId));
    assert.equal(alerts.length, 1, 'one alert per window');
    assert.match(alerts[0]!, /"level":50/);
    assert.match(alerts[0]!, /"channel":"email"/);
  });

  it('10,000 wrong guesses against one login ID across many resends never succeed; the login-ID budget trips', async () => {
    const { projectId } = await stack.createProject('Guessing', { loginIdWrongAttemptLimit: 10, loginIdAttemptWindowSeconds: 4 });
    const loginId = 'target@example.com';
    assert.equal((await send(projectId, loginId)).status, 200);
    const code = await sink.codeFor(loginId);
    const counts = new Map<string, number>();
    let guess = 0;
    const started = Date.now();
    for (let batch = 0; batch < 200; batch++) {
      // A new code every batch: resending must not reset the budget.
      if (batch % 4 === 3) assert.equal((await send(projectId, loginId)).status, 200);
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => {
          let candidate = String(guess++ % 1_000_000).padStart(6, '0');
          if (candidate === code) candidate = String(guess++ % 1_000_000).padStart(6, '0');
          return stack.post('/v1/auth/otp/verify/email', { loginId, code: candidate }, projectId);
        }),
      );
      for (const a of answers) counts.set(`${a.status} ${a.body?.errorCode}`, (counts.get(`${a.status} ${a.body?.errorCode}`) ?? 0) + 1);
    }
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    assert.equal(total, 10_000);
    assert.equal(counts.get('200 undefined') ?? 0, 0, JSON.stringify([...counts]));
    const compared = counts.get('401 E061102') ?? 0;
    // At most 10 compares per 4 s window (rolling, so at most one window more than the run spans),
    // whatever the number of codes sent: without the budget, 50 resends would allow 250.
    const windows = Math.ceil((Date.now() - started) / 4000) + 1;
    assert.ok(compared >= 10 && compared <= 10 * windows && compared < 250, `compared ${compared} in ${windows} windows`);
    // How the refusals split between the dead code (E061103) and the spent budget depends on the
    // machine's speed (resends per window); the budget must still refuse most guesses.
    assert.ok((counts.get('429 E130429') ?? 0) > 5_000, JSON.stringify([...counts]));
    assert.equal(total - compared - (counts.get('429 E130429') ?? 0) - (counts.get('429 E061103') ?? 0), 0, JSON.stringify([...counts]));

    // In a fresh window: ten wrong codes over two resends spend the budget ...
    await sleep(4100);
    for (let round = 0; round < 2; round++) {
      assert.equal((await send(projectId, loginId)).status, 200);
      for (let i = 0; i < 5; i++) {
        assert.equal((await stack.post('/v1/auth/otp/verify/email', { loginId, code: `111111${i}` }, projectId)).status, 401);
      }
    }
    // ... so even the right code of a new resend is refused, until the window rolls on.
    const n = sink.to(loginId).length;
    assert.equal((await send(projectId, loginId)).status, 200);
    const fresh = await sink.codeFor(loginId, n + 1);
    assertLimited(await stack.post('/v1/auth/otp/verify/email', { loginId, code: fresh }, projectId), 4, 'right code while the budget is spent');
    await sleep(4100);
    const ok = await stack.post('/v1/auth/otp/verify/email', { loginId, code: fresh }, projectId);
    assert.equal(ok.status, 200, ok.text);
  });
});
