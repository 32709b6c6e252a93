import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { emailSignIn } from '../support/flows.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { Stack } from '../support/stack.js';

describe('secrets never reach the logs, even at debug level', () => {
  let stack: Stack;
  let sink: SmtpSink;

  before(async () => {
    sink = await new SmtpSink().start();
    stack = await Stack.start({ env: { EMAIL_PROVIDER: 'smtp', SMTP_URL: sink.url, LOG_LEVEL: 'debug' } });
  });
  after(async () => {
    await stack?.stop();
    await sink?.stop();
  });

  it('keeps codes, JWTs, management keys and authorization headers out of the captured logs', async () => {
    const { projectId, managementKey } = await stack.createProject('Logged');
    const { code, verified } = await emailSignIn(stack, sink, projectId, 'signup', 'logged@example.com');
    assert.equal(verified.status, 200);
    const { sessionJwt, refreshJwt } = verified.body as { sessionJwt: string; refreshJwt: string };

    // Secrets carried everywhere a client might put them: bearers, bodies, URLs, bad JSON, failing requests.
    await stack.post('/v1/auth/otp/signin/email', { loginId: 'logged@example.com' }, `${projectId}:${refreshJwt}`);
    await stack.post('/v1/auth/otp/signin/email', { loginId: 'logged@example.com' }, `${projectId}:${managementKey}`);
    await stack.post('/v1/auth/otp/verify/email', { loginId: 'logged@example.com', code }, projectId);
    await stack.request('GET', `/v2/keys/${projectId}?token=${sessionJwt}&key=${managementKey}`);
    await stack.request('GET', `/no/such/${refreshJwt}`);
    await stack.request('POST', '/v1/auth/otp/verify/email', { rawBody: `{"code":"${code}","jwt":"${sessionJwt}"`, bearer: projectId });
    await stack.request('POST', '/v1/auth/otp/signin/email', { body: { loginId: sessionJwt }, headers: { authorization: `Bearer ${projectId}:${managementKey}` } });
    await new Promise((resolve) => setTimeout(resolve, 500));

    const logs = stack.logs();
    assert.match(logs, /"level":20/, 'debug lines are in the capture');
    assert.match(logs, /"msg":"request refused"/);
    assert.match(logs, /"authorization":"\[redacted\]"/, 'refused requests are logged with their headers, redacted');
    for (const [name, secret] of Object.entries({ code, sessionJwt, refreshJwt, managementKey })) {
      assert.ok(!logs.includes(secret), `${name} appears in the logs`);
    }
    // Each JWT part on its own too (a log could split one at the dots).
    for (const part of [...sessionJwt.split('.'), ...refreshJwt.split('.')]) assert.ok(!logs.includes(part), 'a JWT part appears in the logs');
    assert.doesNotMatch(logs, /authorization":"Bearer/i);
    assert.doesNotMatch(logs, new RegExp(`\\b${code}\\b`));
  });
});
