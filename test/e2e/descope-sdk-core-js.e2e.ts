import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import createSdk, { type JWTResponse, type SdkResponse, type UserResponse } from '@descope/core-js-sdk';
import { decodeJwt } from 'jose';
import { emailSignIn } from '../support/flows.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { type DbKind, Stack } from '../support/stack.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

type Channel = 'email' | 'sms' | 'voice' | 'whatsapp';
type Sdk = ReturnType<typeof createSdk>;

/**
 * Every field of core-js's `UserResponse` (dist/index.d.ts) and of the contract's user object, with
 * the JSON type it must have: core-js types TOTP, SAML, SCIM, password and createdTime as required.
 */
const USER_FIELDS: Record<string, 'string' | 'number' | 'boolean' | 'array' | 'object'> = {
  userId: 'string',
  loginIds: 'array',
  name: 'string',
  givenName: 'string',
  middleName: 'string',
  familyName: 'string',
  email: 'string',
  phone: 'string',
  verifiedEmail: 'boolean',
  verifiedPhone: 'boolean',
  status: 'string',
  createdTime: 'number',
  roleNames: 'array',
  userTenants: 'array',
  customAttributes: 'object',
  picture: 'string',
  test: 'boolean',
  TOTP: 'boolean',
  SAML: 'boolean',
  SCIM: 'boolean',
  password: 'boolean',
  OAuth: 'object',
};

function assertUser(user: UserResponse | undefined, where: string): UserResponse {
  assert.ok(user, `${where}: a user`);
  for (const [field, type] of Object.entries(USER_FIELDS)) {
    const value: unknown = (user as Record<string, unknown>)[field];
    const actual: string = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
    assert.equal(actual, type, `${where}: user.${field} is ${type}, got ${JSON.stringify(value)}`);
  }
  assert.deepEqual([user.TOTP, user.SAML, user.SCIM, user.password], [false, false, false, false], `${where}: no TOTP, SAML, SCIM or password`);
  assert.deepEqual(user.OAuth, {}, `${where}: no OAuth provider`);
  assert.ok(['enabled', 'disabled', 'invited'].includes(user.status), `${where}: status ${user.status}`);
  return user;
}

/** The JWT response as core-js types it: `claims` (the session JWT's, decoded), the full user, no empty cookieDomain. */
function assertJwtResponse(response: SdkResponse<JWTResponse>, where: string): JWTResponse {
  assert.ok(response.ok, `${where}: ${JSON.stringify(response.error)}`);
  const data = response.data!;
  assert.ok(data.claims, `${where}: claims`);
  assert.deepEqual(data.claims, decodeJwt(data.sessionJwt), `${where}: claims are the session JWT's`);
  assert.equal(data.claims.drn, 'DS');
  assert.equal(data.sessionExpiration, data.claims.exp);
  assert.ok(!('cookieDomain' in data), `${where}: no cookieDomain when the project sets none, got ${JSON.stringify(data.cookieDomain)}`);
  assertUser(data.user, where);
  assert.equal(data.claims.sub, data.user!.userId);
  return data;
}

/**
 * `@descope/core-js-sdk`, the engine under every Descope JavaScript SDK, unmodified and pointed at
 * the server with `baseUrl`, in Node (it needs nothing of a browser). Phone codes go through the
 * webhook provider, e-mails through an SMTP sink.
 */
for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`@descope/core-js-sdk against the server on ${db}`, () => {
    let stack: Stack;
    let sink: SmtpSink;
    let receiver: WebhookReceiver;
    let projectId: string;
    let managementKey: string;
    let sdk: Sdk;

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
          VOICE_PROVIDER: 'webhook',
          WHATSAPP_PROVIDER: 'webhook',
          DELIVERY_WEBHOOK_URL: receiver.url,
          DELIVERY_WEBHOOK_SECRET: WebhookReceiver.SECRET,
        },
      });
      ({ projectId, managementKey } = await stack.createProject('core-js'));
      sdk = createSdk({ projectId, baseUrl: stack.baseUrl });
    });
    after(async () => {
      await stack?.stop();
      await sink?.stop();
      await receiver?.stop();
    });

    const received = (channel: Channel, address: string) => (channel === 'email' ? sink.to(address).length : receiver.delivered(address).length);

    /** Runs a send through the SDK and returns the code it delivered to `address`. */
    async function codeOf(channel: Channel, address: string, send: () => Promise<{ ok: boolean; error?: unknown }>): Promise<string> {
      const before = received(channel, address);
      const sent = await send();
      assert.ok(sent.ok, `${channel} send: ${JSON.stringify(sent.error)}`);
      if (channel === 'email') return sink.codeFor(address, before + 1);
      const hook = await receiver.waitForDelivered(address, before + 1);
      assert.equal(hook.payload!.channel, channel);
      return hook.payload!.code as string;
    }

    async function emailSession(loginId: string): Promise<JWTResponse> {
      const code = await codeOf('email', loginId, () => sdk.otp.signUpOrIn.email(loginId));
      return assertJwtResponse(await sdk.otp.verify.email(loginId, code), `verify ${loginId}`);
    }

    const channels: { channel: Channel; address: (n: number) => string }[] = [
      { channel: 'email', address: (n) => `core-email-${n}@example.com` },
      // Spanish mobile numbers: libphonenumber types them MOBILE, so every phone channel accepts them.
      { channel: 'sms', address: (n) => `+3461200000${n}` },
      { channel: 'voice', address: (n) => `+3461300000${n}` },
      { channel: 'whatsapp', address: (n) => `+3461400000${n}` },
    ];

    it('signs up, signs in and signs up-or-in over every channel; each verify answers the typed JWT response', async () => {
      for (const { channel, address } of channels) {
        const otp = sdk.otp;
        const upId = address(1);
        const upCode = await codeOf(channel, upId, () => otp.signUp[channel](upId, { name: `Up ${channel}` }));
        const up = assertJwtResponse(await otp.verify[channel](upId, upCode), `${channel} sign-up`);
        assert.equal(up.firstSeen, true);
        assert.equal(up.user!.name, `Up ${channel}`);
        assert.deepEqual(up.user!.loginIds, [upId]);
        assert.equal(channel === 'email' ? up.user!.verifiedEmail : up.user!.verifiedPhone, true);
        assert.deepEqual(up.claims.amr, [channel]);

        const inCode = await codeOf(channel, upId, () => otp.signIn[channel](upId));
        const signedIn = assertJwtResponse(await otp.verify[channel](upId, inCode), `${channel} sign-in`);
        assert.equal(signedIn.firstSeen, false);
        assert.equal(signedIn.user!.userId, up.user!.userId);

        const newId = address(2);
        const newCode = await codeOf(channel, newId, () => otp.signUpOrIn[channel](newId));
        const created = assertJwtResponse(await otp.verify[channel](newId, newCode), `${channel} sign-up-or-in of a new login ID`);
        assert.equal(created.firstSeen, true);
        assert.notEqual(created.user!.userId, up.user!.userId);
        const againCode = await codeOf(channel, newId, () => otp.signUpOrIn[channel](newId));
        const again = assertJwtResponse(await otp.verify[channel](newId, againCode), `${channel} sign-up-or-in of an existing login ID`);
        assert.equal(again.firstSeen, false);
        assert.equal(again.user!.userId, created.user!.userId);
      }
    });

    // Needs the challenges keyed per (project, login ID, purpose), not per channel: branch issue11-signup.
    it('a new code over another channel invalidates the earlier one', async () => {
      const phone = '+34615000001';
      const upCode = await codeOf('sms', phone, () => sdk.otp.signUp.sms(phone));
      assertJwtResponse(await sdk.otp.verify.sms(phone, upCode), 'sms sign-up');

      const smsCode = await codeOf('sms', phone, () => sdk.otp.signIn.sms(phone));
      const voiceCode = await codeOf('voice', phone, () => sdk.otp.signIn.voice(phone));
      const stale = await sdk.otp.verify.sms(phone, smsCode);
      assert.equal(stale.ok, false, 'the sms code died when the voice code was sent');
      assert.equal(stale.code, 401);
      assert.equal(stale.error?.errorCode, 'E061102');
      assertJwtResponse(await sdk.otp.verify.voice(phone, voiceCode), 'verify of the newest code');

      const whatsappCode = await codeOf('whatsapp', phone, () => sdk.otp.signIn.whatsapp(phone));
      const lastCode = await codeOf('sms', phone, () => sdk.otp.signUpOrIn.sms(phone));
      assert.equal((await sdk.otp.verify.whatsapp(phone, whatsappCode)).error?.errorCode, 'E061102', 'sign-up-or-in replaced the whatsapp code');
      assertJwtResponse(await sdk.otp.verify.sms(phone, lastCode), 'verify of the sms code');
    });

    it('updates the e-mail address and the phone number of the signed-in user', async () => {
      const start = await emailSession('core-update@example.com');
      const loginId = 'core-update@example.com';
      const newEmail = 'core-updated@example.com';
      const emailCode = await codeOf('email', newEmail, () => sdk.otp.update.email(loginId, newEmail, start.refreshJwt));
      const emailed = assertJwtResponse(await sdk.otp.verify.email(loginId, emailCode), 'verify of the e-mail update');
      assert.equal(emailed.user!.email, newEmail);
      assert.equal(emailed.user!.verifiedEmail, true);
      assert.deepEqual(emailed.user!.loginIds, [newEmail], 'the login ID that was the old address follows it');

      const phone = '+34616000001';
      const phoneCode = await codeOf('sms', phone, () => sdk.otp.update.phone.sms(newEmail, phone, emailed.refreshJwt, { addToLoginIDs: true }));
      const phoned = assertJwtResponse(await sdk.otp.verify.sms(newEmail, phoneCode), 'verify of the phone update');
      assert.equal(phoned.user!.phone, phone);
      assert.equal(phoned.user!.verifiedPhone, true);
      assert.deepEqual(phoned.user!.loginIds, [newEmail, phone]);
      assert.equal(assertUser((await sdk.me(phoned.refreshJwt)).data, 'me after the updates').phone, phone);
    });

    it('refreshes, try-refreshes, reads me and me/history, logs out one session and then all of them', async () => {
      const loginId = 'core-session@example.com';
      const first = await emailSession(loginId);
      const second = await emailSession(loginId);

      const refreshed = assertJwtResponse(await sdk.refresh(first.refreshJwt), 'refresh');
      assert.notEqual(refreshed.refreshJwt, first.refreshJwt, 'the refresh JWT rotates');
      assert.equal(refreshed.firstSeen, false);
      assert.deepEqual(refreshed.claims.amr, ['email']);

      const tried = assertJwtResponse(await sdk.refresh(refreshed.refreshJwt, undefined, undefined, true), 'try-refresh');
      assert.notEqual(tried.refreshJwt, refreshed.refreshJwt);
      for (const [what, token] of [
        ['no refresh JWT', undefined],
        ['a malformed one', 'not-a-jwt'],
        ['a session JWT in its place', second.sessionJwt],
      ] as const) {
        const empty = await sdk.refresh(token, undefined, undefined, true);
        assert.ok(empty.ok, `try-refresh with ${what}: ${JSON.stringify(empty.error)}`);
        assert.deepEqual(empty.data, {}, `try-refresh with ${what} answers an empty 200`);
      }
      const plain = await sdk.refresh('not-a-jwt');
      assert.equal(plain.code, 401, 'refresh, unlike try-refresh, refuses');

      const me = await sdk.me(tried.refreshJwt);
      assert.ok(me.ok, JSON.stringify(me.error));
      assert.equal(assertUser(me.data, 'me').userId, first.user!.userId);

      const history = await sdk.history(tried.refreshJwt);
      assert.ok(history.ok, JSON.stringify(history.error));
      const entries = history.data as unknown as { userId: string; loginTime: number; city: string; country: string; ip: string }[];
      assert.ok(Array.isArray(entries), 'me/history is an array');
      assert.equal(entries.length, 2, 'two sign-ins; refreshes are not sign-ins');
      const now = Date.now() / 1000;
      for (const entry of entries) {
        assert.deepEqual(Object.keys(entry).sort(), ['city', 'country', 'ip', 'loginTime', 'userId']);
        assert.equal(entry.userId, first.user!.userId);
        assert.ok(Number.isInteger(entry.loginTime) && entry.loginTime <= now && entry.loginTime > now - 120, `loginTime ${entry.loginTime}`);
        assert.equal(entry.ip, '127.0.0.1');
        assert.equal(entry.city, '');
        assert.equal(entry.country, '');
      }
      assert.ok(entries[0]!.loginTime >= entries[1]!.loginTime, 'newest first');

      assert.ok((await sdk.logout(tried.refreshJwt)).ok);
      assert.equal((await sdk.me(tried.refreshJwt)).error?.errorCode, 'E062402', 'that session is over');
      assert.deepEqual((await sdk.refresh(tried.refreshJwt, undefined, undefined, true)).data, {}, 'try-refresh of a revoked session answers {}');
      assert.ok((await sdk.me(second.refreshJwt)).ok, 'the other session lives on');

      const third = await emailSession(loginId);
      assert.ok((await sdk.logoutAll(second.refreshJwt)).ok);
      for (const token of [second.refreshJwt, third.refreshJwt]) {
        const gone = await sdk.me(token);
        assert.equal(gone.code, 401);
        assert.equal(gone.error?.errorCode, 'E062402');
      }
    });

    it('leaves cookieDomain out unless the project sets one', async () => {
      const { verified } = await emailSignIn(stack, sink, projectId, 'signup-in', 'core-cookie@example.com');
      assert.equal(verified.status, 200, verified.text);
      assert.ok(!('cookieDomain' in verified.body), verified.text);
      const raw = await stack.request('POST', '/v1/auth/refresh', { bearer: `${projectId}:${verified.body.refreshJwt}` });
      assert.equal(raw.status, 200);
      assert.ok(!('cookieDomain' in raw.body), raw.text);

      const { projectId: withDomain } = await stack.createProject('core-js cookie domain', { cookieDomain: 'example.com' });
      const own = createSdk({ projectId: withDomain, baseUrl: stack.baseUrl });
      const loginId = 'core-domain@example.com';
      const code = await codeOf('email', loginId, () => own.otp.signUpOrIn.email(loginId));
      const withCookieDomain = await own.otp.verify.email(loginId, code);
      assert.equal(withCookieDomain.data?.cookieDomain, 'example.com');
      assert.equal((await own.refresh(withCookieDomain.data!.refreshJwt)).data?.cookieDomain, 'example.com');

    });

    // The points of issue 12 one by one on the raw wire, each independent of the others.
    it('answers claims, the session JWT decoded, on verify and refresh', async () => {
      const { verified } = await emailSignIn(stack, sink, projectId, 'signup-in', 'core-claims@example.com', { loginOptions: { customClaims: { plan: 'pro' } } });
      assert.equal(verified.status, 200, verified.text);
      assert.deepEqual(verified.body.claims, decodeJwt(verified.body.sessionJwt));
      assert.deepEqual(verified.body.claims.nsec, { plan: 'pro' });
      const refreshed = await stack.post('/v1/auth/refresh', {}, `${projectId}:${verified.body.refreshJwt}`);
      assert.equal(refreshed.status, 200, refreshed.text);
      assert.deepEqual(refreshed.body.claims, decodeJwt(refreshed.body.sessionJwt));
    });

    it('answers the full user object on verify, refresh and me', async () => {
      const { verified } = await emailSignIn(stack, sink, projectId, 'signup-in', 'core-fields@example.com');
      assert.equal(verified.status, 200, verified.text);
      assertUser(verified.body.user, 'verify');
      const bearer = `${projectId}:${verified.body.refreshJwt}`;
      const refreshed = await stack.post('/v1/auth/refresh', {}, bearer);
      assertUser(refreshed.body.user, 'refresh');
      assertUser((await stack.request('GET', '/v1/auth/me', { bearer: `${projectId}:${refreshed.body.refreshJwt}` })).body, 'me');
    });

    it('try-refresh refreshes, or answers an empty 200; me/history lists the sign-ins', async () => {
      const loginId = 'core-try@example.com';
      const { verified } = await emailSignIn(stack, sink, projectId, 'signup-in', loginId);
      assert.equal(verified.status, 200, verified.text);
      for (const bearer of [projectId, `${projectId}:not-a-jwt`, `${projectId}:${verified.body.sessionJwt}`]) {
        const empty = await stack.post('/v1/auth/try-refresh', {}, bearer);
        assert.equal(empty.status, 200, empty.text);
        assert.deepEqual(empty.body, {});
      }
      const tried = await stack.post('/v1/auth/try-refresh', {}, `${projectId}:${verified.body.refreshJwt}`);
      assert.equal(tried.status, 200, tried.text);
      assert.ok(tried.body.sessionJwt && tried.body.refreshJwt !== verified.body.refreshJwt, 'a refresh, with rotation');
      assert.equal((await stack.post('/v1/auth/try-refresh', {}, 'no-such-project')).status, 401, 'an unknown project is still refused');

      const history = await stack.request('GET', '/v1/auth/me/history', { bearer: `${projectId}:${tried.body.refreshJwt}` });
      assert.equal(history.status, 200, history.text);
      assert.deepEqual(history.body, [{ userId: verified.body.user.userId, loginTime: history.body[0].loginTime, city: '', country: '', ip: '127.0.0.1' }]);
    });

    it('answers the full user object on the management routes', async () => {
      const bearer = `${projectId}:${managementKey}`;
      const mgmt = <T>(method: string, path: string, body?: unknown) => stack.request<T>(method, path, { bearer, body });
      const created = await mgmt<{ user: UserResponse }>('POST', '/v1/mgmt/user/create', { loginId: 'core-mgmt@example.com', email: 'core-mgmt@example.com' });
      assert.equal(created.status, 200, created.text);
      const { userId } = assertUser(created.body.user, 'create');
      assertUser((await mgmt<{ user: UserResponse }>('POST', '/v1/mgmt/user/create/test', { loginId: 'core-mgmt-test@example.com' })).body.user, 'create/test');
      assertUser((await mgmt<{ user: UserResponse }>('GET', `/v1/mgmt/user?userId=${userId}`)).body.user, 'load');
      const found = await mgmt<{ users: UserResponse[] }>('POST', '/v2/mgmt/user/search', { text: 'core-mgmt' });
      assert.ok(found.body.users.length >= 1);
      found.body.users.forEach((user) => assertUser(user, 'search'));
      assertUser((await mgmt<{ user: UserResponse }>('PATCH', '/v1/mgmt/user/patch', { loginId: 'core-mgmt@example.com', givenName: 'Core' })).body.user, 'patch');
      assertUser((await mgmt<{ user: UserResponse }>('POST', '/v1/mgmt/user/update', { loginId: 'core-mgmt@example.com', displayName: 'Core' })).body.user, 'update');
      assertUser((await mgmt<{ user: UserResponse }>('POST', '/v1/mgmt/user/update/status', { loginId: 'core-mgmt@example.com', status: 'disabled' })).body.user, 'update/status');
    });
  });
}
