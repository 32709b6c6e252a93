import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { queryDatabase } from '../support/db-query.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { type DbKind, Stack } from '../support/stack.js';

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`races on ${db}`, () => {
    let stack: Stack;
    let sink: SmtpSink;

    before(async () => {
      sink = await new SmtpSink().start();
      stack = await Stack.start({ db, env: { EMAIL_PROVIDER: 'smtp', SMTP_URL: sink.url } });
    });
    after(async () => {
      await stack?.stop();
      await sink?.stop();
    });

    const users = async (projectId: string, loginId: string) =>
      queryDatabase(stack, 'SELECT user_id FROM login_ids WHERE project_id = $1 AND login_id = $2', [projectId, loginId]);
    const userRows = async (projectId: string) => queryDatabase(stack, 'SELECT id FROM users WHERE project_id = $1', [projectId]);

    it('50 concurrent sign-ups of one login ID create exactly one user; the others get E062107', async () => {
      const { projectId } = stack.createProject('Race');
      const results = await Promise.all(
        Array.from({ length: 50 }, () => stack.post('/v1/auth/otp/signup/email', { loginId: 'Twin@Example.com' }, projectId)),
      );
      assert.equal(results.filter((r) => r.status === 200).length, 1);
      assert.ok(results.filter((r) => r.status !== 200).every((r) => r.status === 400 && r.body.errorCode === 'E062107'));
      assert.equal((await users(projectId, 'twin@example.com')).length, 1);
      assert.equal((await userRows(projectId)).length, 1, 'losers leave no orphan user row');
    });

    it('in anti-enumeration mode, all 50 get the uniform answer and still one user exists', async () => {
      const { projectId } = stack.createProject('Race quiet', { antiEnumeration: true });
      const results = await Promise.all(
        Array.from({ length: 50 }, () => stack.post('/v1/auth/otp/signup/email', { loginId: 'twin@example.com' }, projectId)),
      );
      assert.ok(results.every((r) => r.status === 200 && r.text === results[0]!.text), results.map((r) => r.text).join('\n'));
      assert.equal((await userRows(projectId)).length, 1);
    });

    it('50 concurrent verifies of one code give exactly one session', async () => {
      const { projectId } = stack.createProject('Race verify');
      assert.equal((await stack.post('/v1/auth/otp/signup/email', { loginId: 'once@example.com' }, projectId)).status, 200);
      const code = await sink.codeFor('once@example.com');
      const results = await Promise.all(
        Array.from({ length: 50 }, () => stack.post('/v1/auth/otp/verify/email', { loginId: 'once@example.com', code }, projectId)),
      );
      assert.equal(results.filter((r) => r.status === 200).length, 1);
      // The losers: the code was consumed (E061102) or its attempts were all reserved by then (E061103).
      assert.ok(results.filter((r) => r.status !== 200).every((r) => ['E061102', 'E061103'].includes(r.body.errorCode)), results.map((r) => r.text).join('\n'));
      assert.equal((await queryDatabase(stack, 'SELECT id FROM sessions WHERE project_id = $1', [projectId])).length, 1);
    });
  });
}
