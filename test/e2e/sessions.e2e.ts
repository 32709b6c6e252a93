import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { emailSignIn, verifyWithJwks } from '../support/flows.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { type DbKind, sleep, Stack } from '../support/stack.js';

interface Tokens {
  sessionJwt: string;
  refreshJwt: string;
  user: { userId: string };
}

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`sessions on ${db}: refresh rotation, logout, logoutall, me, step-up`, () => {
    let stack: Stack;
    let sink: SmtpSink;
    let projectId: string;
    let managementKey: string;

    /** A new session (a new sign-in) of `loginId`, creating the user on first use. */
    async function signIn(loginId: string, project = projectId): Promise<Tokens> {
      const { verified } = await emailSignIn(stack, sink, project, 'signup-in', loginId);
      assert.equal(verified.status, 200, verified.text);
      return verified.body;
    }
    const refresh = (refreshJwt: string, project = projectId) => stack.post('/v1/auth/refresh', {}, `${project}:${refreshJwt}`);
    const me = (refreshJwt: string, project = projectId) => stack.request('GET', '/v1/auth/me', { bearer: `${project}:${refreshJwt}` });
    const mgmt = (path: string, body: unknown) => stack.post(path, body, `${projectId}:${managementKey}`);

    before(async () => {
      sink = await new SmtpSink().start();
      stack = await Stack.start({ db, env: { EMAIL_PROVIDER: 'smtp', SMTP_URL: sink.url, EMAIL_FROM: 'OTP <otp@test.local>' } });
      ({ projectId, managementKey } = await stack.createProject('Sessions'));
    });
    after(async () => {
      await stack?.stop();
      await sink?.stop();
    });

    it('refresh answers new JWTs that keep the amr and custom claims, and the refresh JWT rotates', async () => {
      const n = sink.to('ada@example.com').length;
      await stack.post('/v1/auth/otp/signup/email', { loginId: 'ada@example.com', loginOptions: { customClaims: { plan: 'pro' } } }, projectId);
      const code = await sink.codeFor('ada@example.com', n + 1);
      const first: Tokens = (await stack.post('/v1/auth/otp/verify/email', { loginId: 'ada@example.com', code }, projectId)).body;
      assert.deepEqual((await verifyWithJwks(stack, projectId, first.sessionJwt)).nsec, { plan: 'pro' });

      const refreshed = await refresh(first.refreshJwt);
      assert.equal(refreshed.status, 200, refreshed.text);
      const body = refreshed.body;
      assert.notEqual(body.refreshJwt, first.refreshJwt);
      assert.equal(body.firstSeen, false);
      assert.equal(body.user.userId, first.user.userId);
      assert.equal(body.cookiePath, '/');
      const session = await verifyWithJwks(stack, projectId, body.sessionJwt);
      assert.equal(session.drn, 'DS');
      assert.deepEqual(session.amr, ['email']);
      assert.deepEqual(session.nsec, { plan: 'pro' });
      assert.equal(body.sessionExpiration, session.exp);
      const newRefresh = await verifyWithJwks(stack, projectId, body.refreshJwt);
      assert.equal(newRefresh.drn, 'DSR');
      assert.notEqual(newRefresh.jti, decodeJwt(first.refreshJwt).jti);
      assert.equal((await me(body.refreshJwt)).status, 200);
    });

    it('a refresh JWT used twice within the grace window succeeds both times, concurrently too', async () => {
      const { refreshJwt } = await signIn('tabs@example.com');
      const [a, b, c] = await Promise.all([refresh(refreshJwt), refresh(refreshJwt), refresh(refreshJwt)]);
      for (const r of [a, b, c]) assert.equal(r.status, 200, r.text);
      await sleep(1000);
      const again = await refresh(refreshJwt);
      assert.equal(again.status, 200, 'still inside the default 10 s window');
      for (const r of [a, b, c, again]) assert.equal((await me(r.body.refreshJwt)).status, 200, 'every successor is alive');
    });

    it('a refresh JWT reused after the grace window kills its whole family with 401, and no other session', async () => {
      // A one-second window stands in for the default ten seconds: reuse "30 s later" is reuse after the window.
      const { projectId: strict } = await stack.createProject('Strict', { refreshGraceSeconds: 1 });
      const stolen = await signIn('victim@example.com', strict);
      const otherSignIn = await signIn('victim@example.com', strict);
      const bystander = await signIn('bystander@example.com', strict);

      const legit = await refresh(stolen.refreshJwt, strict);
      assert.equal(legit.status, 200);
      const legitNext = await refresh(legit.body.refreshJwt, strict);
      assert.equal(legitNext.status, 200);
      await sleep(1600);

      const replay = await refresh(stolen.refreshJwt, strict);
      assert.equal(replay.status, 401);
      assert.equal(replay.body.errorCode, 'E062402');
      for (const token of [stolen.refreshJwt, legit.body.refreshJwt, legitNext.body.refreshJwt]) {
        const dead = await refresh(token, strict);
        assert.equal(dead.status, 401, 'every JWT of the family is revoked');
        assert.equal((await me(token, strict)).status, 401);
      }
      assert.equal((await me(otherSignIn.refreshJwt, strict)).status, 200, 'another sign-in of the same user lives on');
      assert.equal((await refresh(bystander.refreshJwt, strict)).status, 200);
    });

    it('logout kills that session; logoutall every session of the user; other users stay signed in', async () => {
      const laptop = await signIn('multi@example.com');
      const phone = await signIn('multi@example.com');
      const tablet = await signIn('multi@example.com');
      const other = await signIn('other@example.com');
      const rotated = await refresh(laptop.refreshJwt);

      // The SDKs send these with a JSON content type and no body at all.
      const out = await stack.request('POST', '/v1/auth/logout', {
        bearer: `${projectId}:${rotated.body.refreshJwt}`,
        headers: { 'content-type': 'application/json' },
        rawBody: '',
      });
      assert.equal(out.status, 200, out.text);
      assert.deepEqual(out.body, {});
      for (const token of [rotated.body.refreshJwt, laptop.refreshJwt]) {
        const dead = await refresh(token);
        assert.equal(dead.status, 401);
        assert.equal(dead.body.errorCode, 'E062402');
      }
      assert.equal((await me(phone.refreshJwt)).status, 200);

      const all = await stack.request('POST', '/v1/auth/logoutall', {
        bearer: `${projectId}:${phone.refreshJwt}`,
        headers: { 'content-type': 'application/json' },
        rawBody: '',
      });
      assert.equal(all.status, 200, all.text);
      assert.deepEqual(all.body, {});
      for (const token of [phone.refreshJwt, tablet.refreshJwt]) assert.equal((await me(token)).status, 401);
      assert.equal((await me(other.refreshJwt)).status, 200, "another user's session is untouched");
      assert.equal((await refresh(other.refreshJwt)).status, 200);
    });

    it('me answers the bare user object', async () => {
      const { refreshJwt, user } = await signIn('me@example.com');
      const res = await me(refreshJwt);
      assert.equal(res.status, 200);
      assert.deepEqual(Object.keys(res.body).sort(), [
        'OAuth', 'SAML', 'SCIM', 'TOTP', 'createdTime', 'customAttributes', 'email', 'familyName', 'givenName', 'loginIds', 'middleName',
        'name', 'password', 'phone', 'picture', 'roleNames', 'status', 'test', 'userId', 'userTenants', 'verifiedEmail', 'verifiedPhone',
      ]);
      assert.equal(res.body.userId, user.userId);
      assert.equal(res.body.email, 'me@example.com');
    });

    it('refuses bad bearers: none, a session JWT, another project, garbage', async () => {
      const { sessionJwt, refreshJwt } = await signIn('bearer@example.com');
      const { projectId: other } = await stack.createProject('Other');
      const cases = [
        await stack.request('POST', '/v1/auth/refresh', { body: {} }),
        await stack.post('/v1/auth/refresh', {}, projectId),
        await stack.post('/v1/auth/refresh', {}, `${projectId}:${sessionJwt}`),
        await stack.post('/v1/auth/refresh', {}, `${other}:${refreshJwt}`),
        await stack.post('/v1/auth/refresh', {}, `${projectId}:not.a.jwt`),
      ];
      for (const r of cases) {
        assert.equal(r.status, 401, r.text);
        assert.match(r.body.errorCode, /^E0(110|624)\d\d$/);
      }
      assert.equal(cases[2]!.body.errorCode, 'E062402', 'a session JWT is no refresh JWT');
      assert.equal(cases[3]!.body.errorCode, 'E062402', 'a refresh JWT of project A is refused by project B');
    });

    it('a disabled user can neither refresh nor sign in; a deleted one neither', async () => {
      const { refreshJwt } = await signIn('disabled@example.com');
      assert.equal((await mgmt('/v1/mgmt/user/update/status', { loginId: 'disabled@example.com', status: 'disabled' })).status, 200);
      const refused = await refresh(refreshJwt);
      assert.equal(refused.status, 401);
      const signin = await stack.post('/v1/auth/otp/signin/email', { loginId: 'disabled@example.com' }, projectId);
      assert.equal(signin.status, 401);
      assert.equal(signin.body.errorCode, 'E062404');
      assert.equal((await mgmt('/v1/mgmt/user/update/status', { loginId: 'disabled@example.com', status: 'enabled' })).status, 200);
      assert.equal((await refresh(refreshJwt)).status, 401, 'disabling ended the sessions for good');

      const deleted = await signIn('deleted@example.com');
      assert.equal((await mgmt('/v1/mgmt/user/delete', { loginId: 'deleted@example.com' })).status, 200);
      assert.equal((await refresh(deleted.refreshJwt)).status, 401);
      assert.equal((await stack.post('/v1/auth/otp/signin/email', { loginId: 'deleted@example.com' }, projectId)).body.errorCode, 'E062108');
    });

    it('step-up and MFA with the refresh JWT in the bearer extend the amr; revokeOtherSessions ends the rest', async () => {
      const base = await signIn('stepup@example.com');
      const other = await signIn('stepup@example.com');
      const stranger = await signIn('stranger@example.com');

      for (const option of ['stepup', 'mfa']) {
        const loginOptions = { [option]: true, customClaims: { level: option } };
        const bare = await stack.post('/v1/auth/otp/signin/email', { loginId: 'stepup@example.com', loginOptions }, projectId);
        assert.equal(bare.status, 401, `${option} without a refresh JWT`);
        const foreign = await stack.post('/v1/auth/otp/signin/email', { loginId: 'stepup@example.com', loginOptions }, `${projectId}:${stranger.refreshJwt}`);
        assert.equal(foreign.status, 401, `${option} with another user's refresh JWT`);

        const n = sink.to('stepup@example.com').length;
        const sent = await stack.post('/v1/auth/otp/signin/email', { loginId: 'stepup@example.com', loginOptions }, `${projectId}:${base.refreshJwt}`);
        assert.equal(sent.status, 200, sent.text);
        const code = await sink.codeFor('stepup@example.com', n + 1);
        const verified = await stack.post('/v1/auth/otp/verify/email', { loginId: 'stepup@example.com', code }, projectId);
        assert.equal(verified.status, 200, verified.text);
        const claims = await verifyWithJwks(stack, projectId, verified.body.sessionJwt);
        assert.deepEqual(claims.amr, ['email', 'email'], 'the prior method and the new one');
        assert.deepEqual(claims.nsec, { level: option });
      }
      assert.equal((await me(other.refreshJwt)).status, 200, 'step-up alone revokes nothing');

      const n = sink.to('stepup@example.com').length;
      await stack.post('/v1/auth/otp/signin/email', { loginId: 'stepup@example.com', loginOptions: { revokeOtherSessions: true } }, projectId);
      const code = await sink.codeFor('stepup@example.com', n + 1);
      const verified = await stack.post('/v1/auth/otp/verify/email', { loginId: 'stepup@example.com', code }, projectId);
      assert.equal(verified.status, 200, verified.text);
      for (const token of [base.refreshJwt, other.refreshJwt]) assert.equal((await me(token)).status, 401);
      assert.equal((await me(verified.body.refreshJwt)).status, 200, 'the new session lives');
      assert.equal((await me(stranger.refreshJwt)).status, 200);
    });
  });
}
