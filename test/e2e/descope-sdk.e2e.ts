import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import DescopeClient from '@descope/node-sdk';
import { decodeProtectedHeader } from 'jose';
import { SmtpSink } from '../support/smtp-sink.js';
import { type DbKind, sleep, Stack } from '../support/stack.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * The official Descope node SDK, untouched, pointed at our server with `baseUrl`: the judge of wire
 * compatibility. Everything here goes through the SDK's own HTTP client, JWKS fetching and JWT checks.
 */
for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`@descope/node-sdk against the server on ${db}`, () => {
    let stack: Stack;
    let sink: SmtpSink;
    let receiver: WebhookReceiver;
    let projectId: string;
    let managementKey: string;
    let sdk: ReturnType<typeof DescopeClient>;

    before(async () => {
      sink = await new SmtpSink().start();
      receiver = await new WebhookReceiver().start();
      stack = await Stack.start({
        db,
        env: {
          EMAIL_PROVIDER: 'smtp',
          SMTP_URL: sink.url,
          EMAIL_FROM: 'OTP <otp@test.local>',
          SMS_PROVIDER: 'webhook',
          DELIVERY_WEBHOOK_URL: receiver.url,
          DELIVERY_WEBHOOK_SECRET: WebhookReceiver.SECRET,
        },
      });
      ({ projectId, managementKey } = await stack.createProject('SDK'));
      sdk = DescopeClient({ projectId, baseUrl: stack.baseUrl, managementKey });
    });
    after(async () => {
      await stack?.stop();
      await sink?.stop();
      await receiver?.stop();
    });

    it('signs up over email, validates the session with the JWKS, refreshes, reads me and logs out', async () => {
      const up = await sdk.otp.signUp.email('ada@example.com', { name: 'Ada Lovelace' });
      assert.ok(up.ok, JSON.stringify(up.error));
      assert.equal(up.data?.maskedEmail, 'a***@example.com');
      const code = await sink.codeFor('ada@example.com');

      const verified = await sdk.otp.verify.email('ada@example.com', code);
      assert.ok(verified.ok, JSON.stringify(verified.error));
      const { sessionJwt, refreshJwt, user, firstSeen } = verified.data!;
      assert.equal(firstSeen, true);
      assert.equal(user?.name, 'Ada Lovelace');
      assert.ok((verified.data as { cookies?: string[] }).cookies?.some((c) => c.startsWith(`DSR=${refreshJwt};`)));

      const session = await sdk.validateSession(sessionJwt);
      assert.equal(session.token.sub, user!.userId);
      assert.equal(session.token.iss, projectId);
      assert.deepEqual(session.token.amr, ['email']);

      const refreshed = await sdk.refreshSession(refreshJwt!);
      assert.ok(refreshed.refreshJwt && refreshed.refreshJwt !== refreshJwt, 'the refresh JWT rotates');
      assert.equal(refreshed.token.sub, user!.userId);
      assert.equal(refreshed.token.drn, 'DS');

      const me = await sdk.me(refreshed.refreshJwt);
      assert.ok(me.ok, JSON.stringify(me.error));
      assert.equal(me.data?.userId, user!.userId);
      assert.deepEqual(me.data?.loginIds, ['ada@example.com']);
      assert.equal(me.data?.verifiedEmail, true);

      const out = await sdk.logout(refreshed.refreshJwt);
      assert.ok(out.ok, JSON.stringify(out.error));
      const gone = await sdk.me(refreshed.refreshJwt);
      assert.equal(gone.ok, false);
      assert.equal(gone.code, 401);
      assert.equal(gone.error?.errorCode, 'E062402');
      await assert.rejects(sdk.refreshSession(refreshJwt!), /refresh token validation failed/, 'the rotated-out refresh JWT died with its session');
    });

    it('signs up over sms through the webhook provider, validates, refreshes, reads me and logs out', async () => {
      // Its own project, so the user counts of the management test below stay as they are.
      const { projectId: smsId } = await stack.createProject('SDK sms');
      const sdk = DescopeClient({ projectId: smsId, baseUrl: stack.baseUrl });
      // A Spanish mobile range: libphonenumber types it MOBILE (a +1 number would be FIXED_LINE_OR_MOBILE).
      const phone = '+34612345678';
      const up = await sdk.otp.signUp.sms('+34 612 34 56 78', { name: 'Alan Turing' });
      assert.ok(up.ok, JSON.stringify(up.error));
      assert.equal(up.data?.maskedPhone, '+*******5678');
      const hook = await receiver.waitForDelivered(phone);
      assert.ok(hook.payload, `the Standard Webhooks signature verifies: ${hook.verifyError}`);
      assert.equal(hook.payload.channel, 'sms');
      assert.equal(hook.payload.projectId, smsId);
      assert.equal(hook.payload.loginId, phone);
      assert.match(hook.payload.code, /^\d{6}$/);

      const verified = await sdk.otp.verify.sms(phone, hook.payload.code);
      assert.ok(verified.ok, JSON.stringify(verified.error));
      const { sessionJwt, refreshJwt, user, firstSeen } = verified.data!;
      assert.equal(firstSeen, true);
      assert.equal(user?.name, 'Alan Turing');
      assert.equal(user?.phone, phone, 'stored as E.164');
      assert.equal(user?.verifiedPhone, true);
      assert.deepEqual(user?.loginIds, [phone]);

      const session = await sdk.validateSession(sessionJwt);
      assert.equal(session.token.sub, user!.userId);
      assert.equal(session.token.iss, smsId);
      assert.deepEqual(session.token.amr, ['sms']);

      const refreshed = await sdk.refreshSession(refreshJwt!);
      assert.ok(refreshed.refreshJwt && refreshed.refreshJwt !== refreshJwt, 'the refresh JWT rotates');
      assert.equal(refreshed.token.sub, user!.userId);
      assert.deepEqual(refreshed.token.amr, ['sms']);

      const me = await sdk.me(refreshed.refreshJwt);
      assert.ok(me.ok, JSON.stringify(me.error));
      assert.equal(me.data?.userId, user!.userId);
      assert.equal(me.data?.phone, phone);
      assert.equal(me.data?.verifiedPhone, true);
      assert.deepEqual(me.data?.loginIds, [phone]);

      const out = await sdk.logout(refreshed.refreshJwt);
      assert.ok(out.ok, JSON.stringify(out.error));
      const gone = await sdk.me(refreshed.refreshJwt);
      assert.equal(gone.code, 401);
      assert.equal(gone.error?.errorCode, 'E062402');
      assert.equal(receiver.delivered(phone).length, 1, 'one message per sign-up');
    });

    it('validateAndRefreshSession refreshes an expired session JWT', async () => {
      const { projectId: shortId } = await stack.createProject('Short sessions', { sessionTtlSeconds: 1 });
      const short = DescopeClient({ projectId: shortId, baseUrl: stack.baseUrl });
      const n = sink.to('grace@example.com').length;
      assert.ok((await short.otp.signUpOrIn.email('grace@example.com')).ok);
      const verified = await short.otp.verify.email('grace@example.com', await sink.codeFor('grace@example.com', n + 1));
      assert.ok(verified.ok, JSON.stringify(verified.error));
      const { sessionJwt, refreshJwt, sessionExpiration } = verified.data!;
      // The SDK allows 5 seconds of clock skew.
      await sleep(Math.max(0, (sessionExpiration + 6) * 1000 - Date.now()));
      await assert.rejects(short.validateSession(sessionJwt), /exp/);

      const renewed = await short.validateAndRefreshSession(sessionJwt, refreshJwt);
      assert.notEqual(renewed.jwt, sessionJwt);
      assert.ok(renewed.refreshJwt && renewed.refreshJwt !== refreshJwt);
      assert.ok(renewed.token.exp! * 1000 > Date.now());
      assert.equal(renewed.token.sub, verified.data!.user!.userId);
    });

    it('manages users: create, load by login ID and user ID, search, patch, update, deactivate, delete', async () => {
      const users = sdk.management.user;
      const created = await users.create('hopper@example.com', {
        email: 'Hopper@Example.com',
        displayName: 'Grace Hopper',
        roles: ['admiral'],
        customAttributes: { navy: true },
        verifiedEmail: true,
        additionalLoginIds: ['grace.hopper'],
      });
      assert.ok(created.ok, JSON.stringify(created.error));
      const userId = created.data!.userId;
      assert.deepEqual(created.data!.loginIds, ['hopper@example.com', 'grace.hopper']);
      assert.equal(created.data!.email, 'hopper@example.com');
      assert.equal(created.data!.name, 'Grace Hopper');
      assert.deepEqual(created.data!.roleNames, ['admiral']);
      assert.deepEqual(created.data!.customAttributes, { navy: true });
      assert.equal(created.data!.status, 'enabled');
      assert.equal(created.data!.test, false);

      const duplicate = await users.create('grace.hopper');
      assert.equal(duplicate.ok, false);
      assert.equal(duplicate.error?.errorCode, 'E062107');

      assert.equal((await users.load('grace.hopper')).data?.userId, userId);
      assert.equal((await users.loadByUserId(userId)).data?.email, 'hopper@example.com');
      assert.equal((await users.load(userId)).data?.userId, userId, 'load accepts a user ID in place of the login ID');

      for (const loginId of ['lovelace@example.com', 'babbage@example.com', 'turing@example.com']) {
        assert.ok((await users.create(loginId, { email: loginId })).ok);
      }
      assert.ok((await users.createTestUser('test-bot@example.com', { email: 'test-bot@example.com' })).ok);

      const byText = await users.search({ text: 'HOPPER' });
      assert.ok(byText.ok, JSON.stringify(byText.error));
      assert.deepEqual(byText.data!.users.map((u) => u.userId), [userId]);
      assert.equal(byText.data!.total, 1);
      const byEmail = await users.search({ emails: ['turing@example.com', 'babbage@example.com'] });
      assert.deepEqual(byEmail.data!.users.map((u) => u.loginIds[0]).sort(), ['babbage@example.com', 'turing@example.com']);
      const all = await users.search({});
      assert.equal(all.data!.total, 5, 'test users are left out unless asked for (ada, hopper, lovelace, babbage, turing)');
      const pages = await Promise.all([0, 1, 2].map((page) => users.search({ page, limit: 2 })));
      assert.deepEqual(pages.map((p) => p.data!.users.length), [2, 2, 1]);
      assert.ok(pages.every((p) => p.data!.total === 5));
      assert.equal(new Set(pages.flatMap((p) => p.data!.users.map((u) => u.userId))).size, 5, 'pages do not overlap');
      assert.equal((await users.search({ withTestUser: true })).data!.total, 6);
      assert.deepEqual((await users.search({ testUsersOnly: true, withTestUser: true })).data!.users.map((u) => u.loginIds[0]), ['test-bot@example.com']);

      const patched = await users.patch('hopper@example.com', { givenName: 'Grace' });
      assert.equal(patched.data?.givenName, 'Grace');
      assert.equal(patched.data?.name, 'Grace Hopper', 'patch leaves the rest alone');
      const replaced = await users.update(userId, { email: 'grace@navy.mil', displayName: 'Rear Admiral Hopper' });
      assert.ok(replaced.ok, JSON.stringify(replaced.error));
      assert.equal(replaced.data?.email, 'grace@navy.mil');
      assert.equal(replaced.data?.givenName, '', 'update replaces the whole user');
      assert.deepEqual(replaced.data?.roleNames, []);
      assert.deepEqual(replaced.data?.loginIds, ['hopper@example.com']);

      const disabled = await users.deactivate('hopper@example.com');
      assert.equal(disabled.data?.status, 'disabled');
      const refused = await sdk.otp.signIn.email('hopper@example.com');
      assert.equal(refused.ok, false);
      assert.equal(refused.error?.errorCode, 'E062404');
      assert.equal((await users.activate(userId)).data?.status, 'enabled');
      assert.equal((await users.search({ statuses: ['enabled'], text: 'hopper' })).data?.total, 1);

      assert.ok((await users.delete('hopper@example.com')).ok);
      const missing = await users.load('hopper@example.com');
      assert.equal(missing.ok, false);
      assert.equal(missing.code, 404);
      assert.equal(missing.error?.errorCode, 'E112102');
      assert.equal((await users.deleteByUserId(userId)).error?.errorCode, 'E112102');
    });

    it('generateOTPForTestUser gives a code that verifies into a session without sending anything', async () => {
      const users = sdk.management.user;
      assert.ok((await users.createTestUser('test-ada@example.com', { email: 'test-ada@example.com' })).ok);
      const generated = await users.generateOTPForTestUser('email', 'test-ada@example.com', { customClaims: { plan: 'pro' } });
      assert.ok(generated.ok, JSON.stringify(generated.error));
      assert.equal(generated.data?.loginId, 'test-ada@example.com');
      assert.match(generated.data!.code, /^\d{6}$/);

      const verified = await sdk.otp.verify.email('test-ada@example.com', generated.data!.code);
      assert.ok(verified.ok, JSON.stringify(verified.error));
      const session = await sdk.validateSession(verified.data!.sessionJwt);
      assert.deepEqual(session.token.nsec, { plan: 'pro' });
      await sleep(300);
      assert.equal(sink.to('test-ada@example.com').length, 0, 'no e-mail was sent');

      const notTest = await users.generateOTPForTestUser('email', 'ada@example.com');
      assert.equal(notTest.ok, false);
      assert.equal(notTest.error?.errorCode, 'E011003');
    });

    it("carries the contract's error codes in the SDK's error objects", async () => {
      const n = sink.to('ada@example.com').length;
      assert.ok((await sdk.otp.signIn.email('ada@example.com')).ok);
      const code = await sink.codeFor('ada@example.com', n + 1);
      const wrong = code === '000000' ? '111111' : '000000';
      const first = await sdk.otp.verify.email('ada@example.com', wrong);
      assert.equal(first.ok, false);
      assert.equal(first.code, 401);
      assert.equal(first.error?.errorCode, DescopeClient.DescopeErrors.wrongOTPCode);
      for (let i = 2; i <= 5; i++) assert.equal((await sdk.otp.verify.email('ada@example.com', wrong)).error?.errorCode, 'E061102');
      const locked = await sdk.otp.verify.email('ada@example.com', code);
      assert.equal(locked.code, 429);
      assert.equal(locked.error?.errorCode, DescopeClient.DescopeErrors.tooManyOTPAttempts);
      assert.equal(typeof (locked.error as { retryAfter?: unknown }).retryAfter, 'number', 'the SDK reads Retry-After on every 429');

      const unknown = await sdk.otp.signIn.email('nobody@example.com');
      assert.equal(unknown.error?.errorCode, DescopeClient.DescopeErrors.userNotFound);

      const badKey = DescopeClient({ projectId, baseUrl: stack.baseUrl, managementKey: 'K-not-a-key' });
      const refused = await badKey.management.user.load('ada@example.com');
      assert.equal(refused.code, 401);
      assert.equal(refused.error?.errorCode, 'E062403');
    });

    it('answers a rate-limited call with an SDK error carrying E130429 and retryAfter', async () => {
      const limited = (await stack.createProject('SDK tiny limit', { ipSendLimit: 2, ipSendWindowSeconds: 60 })).projectId;
      const tiny = DescopeClient({ projectId: limited, baseUrl: stack.baseUrl });
      for (let i = 1; i <= 2; i++) {
        const sent = await tiny.otp.signUpOrIn.email(`limited${i}@example.com`);
        assert.ok(sent.ok, JSON.stringify(sent.error));
      }
      const refused = await tiny.otp.signUpOrIn.email('limited3@example.com');
      assert.equal(refused.ok, false);
      assert.equal(refused.code, 429);
      assert.equal(refused.error?.errorCode, 'E130429');
      const retryAfter = (refused.error as { retryAfter?: unknown }).retryAfter;
      assert.ok(typeof retryAfter === 'number' && retryAfter >= 1 && retryAfter <= 60, `retryAfter ${String(retryAfter)}`);
    });

    it('follows a signing-key rotation: tokens of the old key still validate, new ones carry the new kid', async () => {
      const n = sink.to('ada@example.com').length;
      await sdk.otp.signIn.email('ada@example.com');
      const before = await sdk.otp.verify.email('ada@example.com', await sink.codeFor('ada@example.com', n + 1));
      const oldKid = decodeProtectedHeader(before.data!.sessionJwt).kid;
      await sdk.validateSession(before.data!.sessionJwt);

      const rotated = stack.cli('keys', 'rotate', '--project', projectId);
      assert.equal(rotated.status, 0, rotated.stderr);
      const { kid: newKid } = JSON.parse(rotated.stdout);

      // A fresh SDK, so that its key cache must come from the JWKS after rotation.
      const fresh = DescopeClient({ projectId, baseUrl: stack.baseUrl });
      assert.equal((await fresh.validateSession(before.data!.sessionJwt)).token.sub, before.data!.user!.userId);
      // The API notices a rotation made by another process within a few seconds (its key cache).
      let refreshJwt = before.data!.refreshJwt!;
      let kid: unknown;
      for (const deadline = Date.now() + 8000; kid !== newKid && Date.now() < deadline; await sleep(250)) {
        const refreshed = await fresh.refreshSession(refreshJwt);
        assert.equal(refreshed.token.sub, before.data!.user!.userId);
        refreshJwt = refreshed.refreshJwt!;
        kid = decodeProtectedHeader(refreshed.jwt).kid;
      }
      assert.equal(kid, newKid);
      assert.notEqual(newKid, oldKid);
      assert.equal((await fresh.validateSession(before.data!.sessionJwt)).token.sub, before.data!.user!.userId, 'the old key still validates');
    });
  });
}
