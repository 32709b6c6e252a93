import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { emailSignIn } from '../support/flows.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { type DbKind, Stack } from '../support/stack.js';

/** The management user API over raw HTTP: the details the SDK suite does not reach. */
for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`management user API on ${db}`, () => {
    let stack: Stack;
    let sink: SmtpSink;
    let projectId: string;
    let bearer: string;

    const post = (path: string, body: unknown) => stack.post(path, body, bearer);
    const search = async (body: Record<string, unknown>) => {
      const res = await post('/v2/mgmt/user/search', body);
      assert.equal(res.status, 200, res.text);
      return res.body as { users: { userId: string; loginIds: string[] }[]; total: number };
    };

    before(async () => {
      sink = await new SmtpSink().start();
      stack = await Stack.start({ db, env: { EMAIL_PROVIDER: 'smtp', SMTP_URL: sink.url, EMAIL_FROM: 'OTP <otp@test.local>' } });
      const project = await stack.createProject('Management');
      projectId = project.projectId;
      bearer = `${projectId}:${project.managementKey}`;
    });
    after(async () => {
      await stack?.stop();
      await sink?.stop();
    });

    it('creates users with every attribute and loads them by login ID or user ID', async () => {
      const created = await post('/v1/mgmt/user/create', {
        loginId: 'Ada@Example.com',
        email: 'ada@example.com',
        phone: '+14155550100',
        displayName: 'Ada Lovelace',
        givenName: 'Ada',
        middleName: 'King',
        familyName: 'Lovelace',
        roleNames: ['admin'],
        userTenants: [{ tenantId: 'T1', tenantName: 'Analytical', roleNames: ['engineer'] }],
        customAttributes: { engine: 'analytical', year: 1843 },
        picture: 'https://example.com/ada.png',
        verifiedEmail: true,
        verifiedPhone: false,
        additionalLoginIds: ['ada', 'countess'],
        test: true,
      });
      assert.equal(created.status, 200, created.text);
      const { user } = created.body;
      assert.deepEqual(user.loginIds, ['ada@example.com', 'ada', 'countess']);
      assert.equal(user.test, false, 'only create/test makes test users');
      assert.deepEqual(user.userTenants, [{ tenantId: 'T1', tenantName: 'Analytical', roleNames: ['engineer'] }]);
      assert.deepEqual(user.customAttributes, { engine: 'analytical', year: 1843 });
      assert.equal(user.middleName, 'King');
      assert.equal(user.verifiedEmail, true);
      assert.equal(typeof user.createdTime, 'number');

      for (const query of ['loginId=ADA%40example.com', 'loginId=countess', `userId=${user.userId}`, `loginId=${user.userId}`]) {
        const loaded = await stack.request('GET', `/v1/mgmt/user?${query}`, { bearer });
        assert.equal(loaded.status, 200, query);
        assert.deepEqual(loaded.body, { user }, query);
      }
      const unknown = await stack.request('GET', '/v1/mgmt/user?loginId=nobody', { bearer });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.errorCode, 'E112102');
      const neither = await stack.request('GET', '/v1/mgmt/user', { bearer });
      assert.equal(neither.status, 400);
      assert.equal(neither.body.errorCode, 'E011002');

      const taken = await post('/v1/mgmt/user/create', { loginId: 'someone-else', additionalLoginIds: ['ADA'] });
      assert.equal(taken.body.errorCode, 'E062107');
      assert.equal((await stack.request('GET', '/v1/mgmt/user?loginId=someone-else', { bearer })).status, 404, 'a refused create leaves nothing behind');
      const badEmail = await post('/v1/mgmt/user/create', { loginId: 'x', email: 'not-an-email' });
      assert.equal(badEmail.status, 400);
      assert.match(badEmail.body.errorMessage, /email/);
      const badPhone = await post('/v1/mgmt/user/create', { loginId: 'x', phone: '555-0100' });
      assert.match(badPhone.body.errorMessage, /phone/);
      const missing = await post('/v1/mgmt/user/create', { email: 'x@example.com' });
      assert.equal(missing.body.errorCode, 'E011002');
    });

    it('stores phones in E.164 as the OTP routes do, and names the field of a number outside the numbering plan', async () => {
      const created = await post('/v1/mgmt/user/create', { loginId: 'phoney', phone: '+1 (415) 555-0123' });
      assert.equal(created.status, 200, created.text);
      assert.equal(created.body.user.phone, '+14155550123');
      assert.deepEqual((await search({ phones: ['+14155550123'] })).users.map((u) => u.userId), [created.body.user.userId]);
      const patched = await stack.request('PATCH', '/v1/mgmt/user/patch', { bearer, body: { loginId: 'phoney', phone: '+34 612 34 56 79' } });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.body.user.phone, '+34612345679');

      // Well-formed E.164, but no such numbering plan entry: the phone channels would refuse it too.
      for (const phone of ['+10000000000', '555-0100']) {
        const bad = await post('/v1/mgmt/user/create', { loginId: `bad${phone}`, phone });
        assert.equal(bad.status, 400, phone);
        assert.equal(bad.body.errorCode, 'E011003', phone);
        assert.match(bad.body.errorMessage, /^phone must be a valid phone number/, phone);
      }
      assert.equal((await stack.request('GET', '/v1/mgmt/user?loginId=bad%2B10000000000', { bearer })).status, 404, 'nothing created');
      // Leaves the project as it found it, for the counts of the search test.
      assert.equal((await post('/v1/mgmt/user/delete', { loginId: 'phoney' })).status, 200);
    });

    it('searches with every filter, pages with a stable order and a total', async () => {
      for (let i = 0; i < 7; i++) {
        const res = await post('/v1/mgmt/user/create', { loginId: `user${i}@search.test`, email: `user${i}@search.test`, phone: `+1415555020${i}` });
        assert.equal(res.status, 200, res.text);
      }
      await post('/v1/mgmt/user/create', { loginId: '100%_sure', displayName: 'Percent' });
      await post('/v1/mgmt/user/create/test', { loginId: 'test1@search.test', email: 'test1@search.test' });
      await post('/v1/mgmt/user/update/status', { loginId: 'user6@search.test', status: 'disabled' });

      const everyone = await search({});
      assert.equal(everyone.total, 9, 'ada, seven, 100%_sure; the test user left out');
      const pages = [await search({ page: 0, limit: 4 }), await search({ page: 1, limit: 4 }), await search({ page: 2, limit: 4 })];
      assert.deepEqual(pages.map((p) => p.users.length), [4, 4, 1]);
      assert.deepEqual(pages.flatMap((p) => p.users.map((u) => u.userId)), everyone.users.map((u) => u.userId));

      assert.equal((await search({ text: 'SEARCH.test' })).total, 7);
      assert.equal((await search({ text: '%' })).total, 1, 'LIKE wildcards in the text are literal');
      assert.equal((await search({ text: '_' })).total, 1);
      assert.equal((await search({ text: 'percent' })).total, 1);
      assert.equal((await search({ text: 'search.test', withTestUser: true })).total, 8);
      assert.deepEqual((await search({ testUsersOnly: true })).users.map((u) => u.loginIds[0]), ['test1@search.test']);
      assert.equal((await search({ statuses: ['disabled'] })).users[0]!.loginIds[0], 'user6@search.test');
      assert.equal((await search({ text: 'search.test', statuses: ['enabled'] })).total, 6);
      assert.equal((await search({ phones: ['+14155550201', '+14155550202'] })).total, 2);
      assert.equal((await search({ emails: ['USER3@search.test'] })).users[0]!.loginIds[0], 'user3@search.test');
      assert.equal((await search({ loginIds: ['countess', 'user0@search.test'] })).total, 2);
      const someId = everyone.users[2]!.userId;
      assert.deepEqual((await search({ userIds: [someId] })).users.map((u) => u.userId), [someId]);
      assert.equal((await search({ emails: ['user1@search.test'], phones: ['+14155550202'] })).total, 0, 'filters combine with AND');
      const bad = await post('/v2/mgmt/user/search', { limit: -1 });
      assert.equal(bad.body.errorCode, 'E011003');
    });

    it('update replaces the user, patch changes only what it names, conflicting login IDs are refused', async () => {
      const { body } = await post('/v1/mgmt/user/create', { loginId: 'grace', email: 'grace@example.com', displayName: 'Grace', roleNames: ['a'], additionalLoginIds: ['g'] });
      const userId = body.user.userId;
      const patched = await stack.request('PATCH', '/v1/mgmt/user/patch', { bearer, body: { loginId: userId, familyName: 'Hopper', customAttributes: { rank: 'admiral' } } });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.body.user.familyName, 'Hopper');
      assert.equal(patched.body.user.name, 'Grace');
      assert.deepEqual(patched.body.user.roleNames, ['a']);
      assert.deepEqual(patched.body.user.loginIds, ['grace', 'g']);

      const updated = await post('/v1/mgmt/user/update', { loginId: 'g', displayName: 'Grace Hopper', additionalLoginIds: ['hopper'] });
      assert.equal(updated.status, 200, updated.text);
      assert.equal(updated.body.user.name, 'Grace Hopper');
      assert.equal(updated.body.user.email, '');
      assert.equal(updated.body.user.familyName, '');
      assert.deepEqual(updated.body.user.roleNames, []);
      assert.deepEqual(updated.body.user.customAttributes, {});
      assert.deepEqual(updated.body.user.loginIds, ['grace', 'hopper']);
      assert.equal((await stack.request('GET', '/v1/mgmt/user?loginId=g', { bearer })).status, 404, 'the replaced login ID is free');

      const conflict = await post('/v1/mgmt/user/update', { loginId: 'grace', additionalLoginIds: ['countess'] });
      assert.equal(conflict.status, 400);
      assert.equal(conflict.body.errorCode, 'E062125');
      assert.deepEqual((await stack.request('GET', `/v1/mgmt/user?userId=${userId}`, { bearer })).body.user.loginIds, ['grace', 'hopper'], 'nothing changed');

      const disabled = await stack.request('PATCH', '/v1/mgmt/user/patch', { bearer, body: { loginId: 'grace', status: 'disabled' } });
      assert.equal(disabled.body.user.status, 'disabled');
      const badStatus = await post('/v1/mgmt/user/update/status', { loginId: 'grace', status: 'invited' });
      assert.equal(badStatus.body.errorCode, 'E011003');
      assert.equal((await post('/v1/mgmt/user/update', { loginId: 'nobody' })).body.errorCode, 'E112102');
    });

    it('logout (user) ends every session of that user; delete removes the user and its sessions', async () => {
      const one = (await emailSignIn(stack, sink, projectId, 'signup-in', 'sessions@example.com')).verified.body;
      const two = (await emailSignIn(stack, sink, projectId, 'signup-in', 'sessions@example.com')).verified.body;
      const bystander = (await emailSignIn(stack, sink, projectId, 'signup-in', 'bystander@example.com')).verified.body;
      const me = (token: string) => stack.request('GET', '/v1/auth/me', { bearer: `${projectId}:${token}` });

      const out = await post('/v1/mgmt/user/logout', { loginId: 'sessions@example.com' });
      assert.equal(out.status, 200);
      assert.deepEqual(out.body, {});
      for (const t of [one, two]) assert.equal((await me(t.refreshJwt)).status, 401);
      assert.equal((await me(bystander.refreshJwt)).status, 200);

      const three = (await emailSignIn(stack, sink, projectId, 'signin', 'sessions@example.com')).verified.body;
      const deleted = await post('/v1/mgmt/user/delete', { userId: three.user.userId });
      assert.equal(deleted.status, 200);
      assert.deepEqual(deleted.body, {});
      assert.equal((await me(three.refreshJwt)).status, 401);
      assert.equal((await post('/v1/mgmt/user/delete', { userId: three.user.userId })).body.errorCode, 'E112102');
      assert.equal((await post('/v1/mgmt/user/logout', {})).body.errorCode, 'E011002');
      assert.equal((await search({ loginIds: ['sessions@example.com'] })).total, 0);
    });

    it('keeps a phone-number login ID in E.164, as the OTP routes key it, so the user signs in with any spelling of it', async () => {
      const created = await post('/v1/mgmt/user/create/test', { loginId: '+1 (415) 555-0124', additionalLoginIds: ['+34 612 34 56 78'] });
      assert.equal(created.status, 200, created.text);
      assert.deepEqual(created.body.user.loginIds, ['+14155550124', '+34612345678']);
      const loaded = await stack.request('GET', `/v1/mgmt/user?loginId=${encodeURIComponent('+1 415 555 0124')}`, { bearer });
      assert.equal(loaded.body.user.userId, created.body.user.userId, loaded.text);
      assert.deepEqual((await search({ loginIds: ['+34 612-345-678'], withTestUser: true })).users.map((u) => u.userId), [created.body.user.userId]);

      const generated = await post('/v1/mgmt/tests/generate/otp', { deliveryMethod: 'sms', loginId: '+1-415-555-0124' });
      assert.equal(generated.status, 200, generated.text);
      assert.equal(generated.body.loginId, '+14155550124');
      const verified = await stack.post('/v1/auth/otp/verify/sms', { loginId: '+1 (415) 555-0124', code: generated.body.code }, projectId);
      assert.equal(verified.status, 200, verified.text);
      assert.equal(verified.body.user.userId, created.body.user.userId);
      assert.equal(verified.body.user.phone, '+14155550124');

      // A "+" string that is no phone number stays as it was given, trimmed and lower-cased.
      const odd = await post('/v1/mgmt/user/create', { loginId: '+123' });
      assert.deepEqual(odd.body.user.loginIds, ['+123']);
      assert.equal((await post('/v1/mgmt/user/delete', { loginId: '+123' })).status, 200);
      assert.equal((await post('/v1/mgmt/user/delete', { loginId: '+14155550124' })).status, 200);
    });

    it('generates codes for test users only, for a known channel', async () => {
      await post('/v1/mgmt/user/create/test', { loginId: 'robot@example.com' });
      const generated = await post('/v1/mgmt/tests/generate/otp', { deliveryMethod: 'email', loginId: 'ROBOT@example.com' });
      assert.equal(generated.status, 200, generated.text);
      assert.equal(generated.body.loginId, 'robot@example.com');
      const verified = await stack.post('/v1/auth/otp/verify/email', { loginId: 'robot@example.com', code: generated.body.code }, projectId);
      assert.equal(verified.status, 200, verified.text);
      assert.equal(verified.body.user.test, true);

      assert.equal((await post('/v1/mgmt/tests/generate/otp', { deliveryMethod: 'pigeon', loginId: 'robot@example.com' })).body.errorCode, 'E011003');
      assert.equal((await post('/v1/mgmt/tests/generate/otp', { deliveryMethod: 'email', loginId: 'nobody' })).body.errorCode, 'E112102');
      const noPhone = await post('/v1/mgmt/tests/generate/otp', { deliveryMethod: 'sms', loginId: 'robot@example.com' });
      assert.equal(noPhone.status, 400);
      assert.match(noPhone.body.errorMessage, /phone/);
    });

    it('documents the management and session routes in Swagger', async () => {
      const doc = await stack.request('GET', '/docs/json');
      const paths = Object.keys(doc.body.paths);
      for (const path of [
        '/v1/auth/refresh', '/v1/auth/try-refresh', '/v1/auth/logout', '/v1/auth/logoutall', '/v1/auth/me', '/v1/auth/me/history', '/v1/mgmt/license', '/v1/mgmt/user/create',
        '/v1/mgmt/user/create/test', '/v1/mgmt/user', '/v2/mgmt/user/search', '/v1/mgmt/user/update', '/v1/mgmt/user/patch',
        '/v1/mgmt/user/update/status', '/v1/mgmt/user/delete', '/v1/mgmt/user/logout', '/v1/mgmt/tests/generate/otp',
      ]) {
        assert.ok(paths.includes(path), path);
      }
      assert.ok(doc.body.components.securitySchemes.ManagementKey);
      assert.ok(doc.body.components.schemas.SearchUsersRequestDto.properties.limit);
    });
  });
}
