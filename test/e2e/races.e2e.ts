import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { queryDatabase } from '../support/db-query.js';
import { extractCode, SmtpSink } from '../support/smtp-sink.js';
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
      queryDatabase<{ user_id: string }>(stack, 'SELECT user_id FROM login_ids WHERE project_id = $1 AND login_id = $2', [projectId, loginId]);
    const userRows = async (projectId: string) => queryDatabase(stack, 'SELECT id FROM users WHERE project_id = $1', [projectId]);

    it('50 clients signing up one login ID and verifying concurrently make exactly one user; the others end with E062107', async () => {
      // A sign-up creates nothing until its code is verified, and a new code replaces the earlier
      // one, so each client keeps sending and verifying the newest code (backing off, as a person
      // asking for another code would) until it either gets a session or is told that the login ID
      // is taken: at send, or at creation after its code verified.
      const { projectId } = await stack.createProject('Race', { otpMaxAttempts: 20 });
      const address = 'twin@example.com';
      const stray: string[] = [];
      const client = async (): Promise<{ won: boolean; at: 'send' | 'verify' }> => {
        for (let round = 0; round < 60; round++) {
          const before = sink.to(address).length;
          const sent = await stack.post('/v1/auth/otp/signup/email', { loginId: 'Twin@Example.com' }, projectId);
          if (sent.body?.errorCode === 'E062107') return { won: false, at: 'send' };
          if (sent.status !== 200) stray.push(`send ${sent.status} ${sent.text}`);
          await sink.waitFor(address, before + 1);
          const code = extractCode(sink.to(address).at(-1)!.text);
          const verified = await stack.post('/v1/auth/otp/verify/email', { loginId: address, code }, projectId);
          if (verified.status === 200) return { won: true, at: 'verify' };
          if (verified.body?.errorCode === 'E062107') return { won: false, at: 'verify' };
          if (!['E061102', 'E061103'].includes(verified.body?.errorCode)) stray.push(`verify ${verified.status} ${verified.text}`);
          await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(5000, 100 * 2 ** round)));
        }
        throw new Error('a client neither won nor lost in 60 rounds');
      };
      const outcomes = await Promise.all(Array.from({ length: 50 }, client));
      console.log(`sign-up race: ${outcomes.filter((o) => !o.won && o.at === 'send').length} lost at send, ${outcomes.filter((o) => !o.won && o.at === 'verify').length} at verify`);
      assert.deepEqual(stray, [], 'every answer was a session, E062107, or a replaced or spent code');
      assert.equal(outcomes.filter((o) => o.won).length, 1, 'exactly one client got a session');
      assert.equal(outcomes.filter((o) => !o.won).length, 49);
      assert.equal((await users(projectId, 'twin@example.com')).length, 1);
      assert.equal((await userRows(projectId)).length, 1, 'losers leave no orphan user row');
    });

    it('a verified sign-up racing 20 management creations of its login ID: one user, every loser E062107, no orphan row', async () => {
      // Sign-ups of one login ID cannot reach creation at the same instant (each new code replaces
      // the last), but a verified sign-up can race the management API, which creates the same way.
      const { projectId, managementKey } = await stack.createProject('Race create');
      for (let round = 0; round < 5; round++) {
        const loginId = `contested${round}@example.com`;
        assert.equal((await stack.post('/v1/auth/otp/signup/email', { loginId }, projectId)).status, 200);
        const code = await sink.codeFor(loginId);
        const [verified, ...created] = await Promise.all([
          stack.post('/v1/auth/otp/verify/email', { loginId, code }, projectId),
          ...Array.from({ length: 20 }, () => stack.post('/v1/mgmt/user/create', { loginId, email: loginId }, `${projectId}:${managementKey}`)),
        ]);
        const answers = [verified!, ...created];
        assert.equal(answers.filter((a) => a.status === 200).length, 1, answers.map((a) => a.text).join('\n'));
        assert.ok(answers.filter((a) => a.status !== 200).every((a) => a.status === 400 && a.body.errorCode === 'E062107'), answers.map((a) => a.text).join('\n'));
        const owners = await users(projectId, loginId);
        assert.equal(owners.length, 1);
        if (verified!.status === 200) assert.equal(verified!.body.user.userId, owners[0]!.user_id);
      }
      assert.equal((await userRows(projectId)).length, 5, 'losers leave no orphan user row');
    });

    it('in anti-enumeration mode, 50 concurrent sign-ups get the uniform answer: still one user, and none for a new login ID', async () => {
      const { projectId } = await stack.createProject('Race quiet', { antiEnumeration: true });
      assert.equal((await stack.post('/v1/auth/otp/signup/email', { loginId: 'twin@quiet.example' }, projectId)).status, 200);
      const verified = await stack.post('/v1/auth/otp/verify/email', { loginId: 'twin@quiet.example', code: await sink.codeFor('twin@quiet.example') }, projectId);
      assert.equal(verified.status, 200, verified.text);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => stack.post('/v1/auth/otp/signup/email', { loginId: i % 2 ? 'twin@quiet.example' : 'new@quiet.example' }, projectId)),
      );
      assert.ok(results.every((r) => r.status === 200), results.map((r) => r.text).join('\n'));
      assert.ok(results.filter((_, i) => i % 2).every((r) => r.text === results[1]!.text));
      assert.ok(results.filter((_, i) => !(i % 2)).every((r) => r.text === results[0]!.text));
      assert.equal((await userRows(projectId)).length, 1);
    });

    it('50 concurrent verifies of one code give exactly one session', async () => {
      const { projectId } = await stack.createProject('Race verify');
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
