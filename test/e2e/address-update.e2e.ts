import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeTwilio } from '../support/fake-twilio.js';
import { emailSignIn, phoneSignIn, verifyWithJwks } from '../support/flows.js';
import { type MailAndPhoneStack, startMailAndPhoneStack } from '../support/mail-and-phone.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { type DbKind, sleep, Stack } from '../support/stack.js';

/** Update email and update phone with real SMTP and a fake Twilio, on both databases (the login-ID moves are transactions). */
for (const db of ['sqlite', 'postgres'] as DbKind[]) describe(`update email and update phone on ${db}`, () => {
  let stack: Stack;
  let sink: SmtpSink;
  let twilio: FakeTwilio;
  let world: MailAndPhoneStack;
  let projectId: string;

  before(async () => {
    world = await startMailAndPhoneStack(db);
    ({ stack, sink, twilio } = world);
    projectId = (await stack.createProject('Acme')).projectId;
  });
  after(() => world?.stop());

  /** Signs a new user up over e-mail; returns the bearer for the update routes and the user. */
  async function emailUser(address: string) {
    const { verified } = await emailSignIn(stack, sink, projectId, 'signup', address);
    assert.equal(verified.status, 200, verified.text);
    return { bearer: `${projectId}:${verified.body.refreshJwt}`, user: verified.body.user };
  }

  it('replaces the e-mail login ID, marks the new address verified and tells the old address', async () => {
    const { bearer, user } = await emailUser('ann@example.com');
    const sent = await stack.post('/v1/auth/otp/update/email', { loginId: 'ann@example.com', email: 'Ann.New@Example.com' }, bearer);
    assert.equal(sent.status, 200, sent.text);
    assert.deepEqual(sent.body, { maskedEmail: 'a***@example.com' });
    const code = await sink.codeFor('ann.new@example.com');
    assert.match(sink.to('ann.new@example.com')[0]!.text, /confirm your new e-mail address/);
    assert.equal(sink.to('ann@example.com').length, 1, 'no notice before the code is verified');

    const verified = await stack.post('/v1/auth/otp/verify/email', { loginId: 'ann@example.com', code }, projectId);
    assert.equal(verified.status, 200, verified.text);
    const updated = verified.body.user;
    assert.equal(updated.userId, user.userId);
    assert.equal(updated.email, 'ann.new@example.com');
    assert.equal(updated.verifiedEmail, true);
    assert.deepEqual(updated.loginIds, ['ann.new@example.com']);
    assert.equal(verified.body.firstSeen, false);
    await verifyWithJwks(stack, projectId, verified.body.sessionJwt);

    const notice = await sink.waitFor('ann@example.com', 2);
    assert.match(notice.subject, /Acme e-mail address was changed/);
    assert.match(notice.text, /changed to a\*\*\*@example\.com/);
    assert.doesNotMatch(notice.text, /\d{4,}/, 'a notice, not a code');

    const oldLogin = await stack.post('/v1/auth/otp/signin/email', { loginId: 'ann@example.com' }, projectId);
    assert.equal(oldLogin.body.errorCode, 'E062108', 'the old login ID is gone');
    const newLogin = await emailSignIn(stack, sink, projectId, 'signin', 'ann.new@example.com');
    assert.equal(newLogin.verified.body.user.userId, user.userId);
  });

  it('adds the new e-mail as a login ID with addToLoginIDs', async () => {
    const { bearer } = await emailUser('bea@example.com');
    const sent = await stack.post('/v1/auth/otp/update/email', { loginId: 'bea@example.com', email: 'bea@work.example', addToLoginIDs: true, locale: 'de' }, bearer);
    assert.equal(sent.status, 200, sent.text);
    const mail = await sink.waitFor('bea@work.example');
    assert.match(mail.subject, /Bestätigungscode/);
    const code = await sink.codeFor('bea@work.example');
    const verified = await stack.post('/v1/auth/otp/verify/email', { loginId: 'bea@example.com', code }, projectId);
    assert.equal(verified.status, 200, verified.text);
    assert.deepEqual(verified.body.user.loginIds, ['bea@example.com', 'bea@work.example']);
    assert.equal(verified.body.user.email, 'bea@work.example');
    const notice = await sink.waitFor('bea@example.com', 2);
    assert.match(notice.subject, /wurde geändert/, 'the notice speaks the language of the request');
  });

  it('sets a first phone number over SMS (no notice: there was no old number), then replaces it over voice with a notice', async () => {
    const { bearer, user } = await emailUser('cid@example.com');
    const first = '+34 622 000 001';
    const sent = await stack.post('/v1/auth/otp/update/phone/sms', { loginId: 'cid@example.com', phone: first }, bearer);
    assert.equal(sent.status, 200, sent.text);
    assert.deepEqual(sent.body, { maskedPhone: '+*******0001' });
    const sms = await twilio.waitForDelivered('+34622000001');
    const code = /\b(\d{6})\b/.exec(sms.form.Body!)![1]!;
    assert.match(sms.form.Body!, /Acme verification code/);
    const verified = await stack.post('/v1/auth/otp/verify/sms', { loginId: 'cid@example.com', code }, projectId);
    assert.equal(verified.status, 200, verified.text);
    assert.equal(verified.body.user.phone, '+34622000001', 'stored as E.164');
    assert.equal(verified.body.user.verifiedPhone, true);
    assert.deepEqual(verified.body.user.loginIds, ['cid@example.com'], 'the phone was not a login ID, nor asked to become one');
    await sleep(300);
    assert.equal(twilio.requests.filter((r) => r.form.To === '+34622000001').length, 1, 'no notice: there was no old number');

    const second = '+34622000002';
    const call = await stack.post('/v1/auth/otp/update/phone/voice', { loginId: 'cid@example.com', phone: second, addToLoginIDs: true }, bearer);
    assert.equal(call.status, 200, call.text);
    const request = await twilio.waitForDelivered(second);
    assert.equal(request.resource, 'Calls');
    const spoken = [...request.form.Twiml!.matchAll(/<Say[^>]*>(\d)<\/Say>/g)].map((m) => m[1]).join('');
    const wrongChannel = await stack.post('/v1/auth/otp/verify/sms', { loginId: 'cid@example.com', code: spoken.slice(0, 6) }, projectId);
    assert.equal(wrongChannel.status, 401, 'a voice code is verified at verify/voice');
    const done = await stack.post('/v1/auth/otp/verify/voice', { loginId: 'cid@example.com', code: spoken.slice(0, 6) }, projectId);
    assert.equal(done.status, 200, done.text);
    assert.equal(done.body.user.userId, user.userId);
    assert.equal(done.body.user.phone, second);
    assert.deepEqual(done.body.user.loginIds, ['cid@example.com', second]);
    const notice = await twilio.waitForDelivered('+34622000001', 2);
    assert.equal(notice.resource, 'Calls', 'the notice goes over the channel of the update');
    assert.match(notice.form.Twiml!, /phone number of your Acme account was changed to \+\*\*\*\*\*\*\*0002/);
    assert.doesNotMatch(notice.form.Twiml!, /<Say[^>]*>\d<\/Say>/, 'no code in a notice');
  });

  it('replaces a phone login ID on update without addToLoginIDs, and the old number gets a WhatsApp notice', async () => {
    const old = '+34622000010';
    const signup = await phoneSignIn(stack, twilio, projectId, 'sms', 'signup', old);
    assert.equal(signup.verified.status, 200);
    const bearer = `${projectId}:${signup.verified.body.refreshJwt}`;
    const next = '+34622000011';
    const sent = await stack.post('/v1/auth/otp/update/phone/whatsapp', { loginId: old, phone: next, templateOptions: { name: 'Dee' } }, bearer);
    assert.equal(sent.status, 200, sent.text);
    const message = await twilio.waitForDelivered(next);
    assert.equal(message.form.To, `whatsapp:${next}`);
    assert.match(message.form.Body!, /^Hi Dee, \*\d{6}\*/);
    const code = /\*(\d{6})\*/.exec(message.form.Body!)![1]!;
    const verified = await stack.post('/v1/auth/otp/verify/whatsapp', { loginId: old, code }, projectId);
    assert.equal(verified.status, 200, verified.text);
    assert.deepEqual(verified.body.user.loginIds, [next]);
    assert.equal(verified.body.user.phone, next);
    const notice = await twilio.waitForDelivered(old, 2);
    assert.equal(notice.form.To, `whatsapp:${old}`);
    assert.match(notice.form.Body!, /was changed to \+\*\*\*\*\*\*\*0011/);
    const signin = await phoneSignIn(stack, twilio, projectId, 'sms', 'signin', next);
    assert.equal(signin.verified.body.user.userId, signup.verified.body.user.userId);
  });

  it('refuses a new address that is another user\'s login ID with E062125, at send time and (after a race) at verify time', async () => {
    const { bearer } = await emailUser('eli@example.com');
    await emailUser('taken@example.com');
    const taken = await stack.post('/v1/auth/otp/update/email', { loginId: 'eli@example.com', email: 'Taken@example.com' }, bearer);
    assert.equal(taken.status, 400);
    assert.equal(taken.body.errorCode, 'E062125');
    await phoneSignIn(stack, twilio, projectId, 'sms', 'signup', '+34622000020');
    const takenPhone = await stack.post('/v1/auth/otp/update/phone/sms', { loginId: 'eli@example.com', phone: '+34 622 000 020' }, bearer);
    assert.equal(takenPhone.body.errorCode, 'E062125');

    // The address is free when the code is sent, and taken by a sign-up before it is verified.
    const sent = await stack.post('/v1/auth/otp/update/email', { loginId: 'eli@example.com', email: 'race@example.com' }, bearer);
    assert.equal(sent.status, 200);
    const code = await sink.codeFor('race@example.com');
    await emailUser('race@example.com');
    const late = await stack.post('/v1/auth/otp/verify/email', { loginId: 'eli@example.com', code }, projectId);
    assert.equal(late.status, 400);
    assert.equal(late.body.errorCode, 'E062125');
    const me = await emailSignIn(stack, sink, projectId, 'signin', 'eli@example.com');
    assert.deepEqual(me.verified.body.user.loginIds, ['eli@example.com'], 'nothing changed');
    assert.equal(me.verified.body.user.email, 'eli@example.com');
  });

  it('merges into the existing user with onMergeUseExisting', async () => {
    const existing = await emailUser('fay@example.com');
    const current = await emailUser('fay.alt@example.com');
    const sent = await stack.post(
      '/v1/auth/otp/update/email',
      { loginId: 'fay.alt@example.com', email: 'fay@example.com', onMergeUseExisting: true },
      current.bearer,
    );
    assert.equal(sent.status, 200, sent.text);
    const code = await sink.codeFor('fay@example.com', 2);
    const verified = await stack.post('/v1/auth/otp/verify/email', { loginId: 'fay.alt@example.com', code }, projectId);
    assert.equal(verified.status, 200, verified.text);
    assert.equal(verified.body.user.userId, existing.user.userId, 'the existing user is kept');
    assert.deepEqual(verified.body.user.loginIds, ['fay@example.com', 'fay.alt@example.com']);
    assert.equal(verified.body.user.email, 'fay@example.com');
    const claims = await verifyWithJwks(stack, projectId, verified.body.sessionJwt);
    assert.equal(claims.sub, existing.user.userId);
    const stale = await stack.post('/v1/auth/otp/update/email', { loginId: 'fay.alt@example.com', email: 'x@example.com' }, current.bearer);
    assert.equal(stale.status, 401, 'the merged-away user and its sessions are gone');
    // The moved login ID signs in to the existing user, whose codes go to its e-mail address.
    const n = sink.to('fay@example.com').length;
    const signin = await stack.post('/v1/auth/otp/signin/email', { loginId: 'fay.alt@example.com' }, projectId);
    assert.deepEqual(signin.body, { maskedEmail: 'f***@example.com' });
    const again = await stack.post('/v1/auth/otp/verify/email', { loginId: 'fay.alt@example.com', code: await sink.codeFor('fay@example.com', n + 1) }, projectId);
    assert.equal(again.body.user.userId, existing.user.userId);
  });

  it('refuses the refresh JWT of another user, a project bearer, and invalid or fixed-line numbers', async () => {
    const victim = await emailUser('gus@example.com');
    const attacker = await emailUser('mal@example.com');
    const before = sink.messages.length;
    const hijack = await stack.post('/v1/auth/otp/update/email', { loginId: 'gus@example.com', email: 'mal2@example.com' }, attacker.bearer);
    assert.equal(hijack.status, 401);
    assert.equal(hijack.body.errorCode, 'E062405');
    const hijackPhone = await stack.post('/v1/auth/otp/update/phone/sms', { loginId: 'gus@example.com', phone: '+34622000030' }, attacker.bearer);
    assert.equal(hijackPhone.body.errorCode, 'E062405');
    const projectOnly = await stack.post('/v1/auth/otp/update/email', { loginId: 'gus@example.com', email: 'mal2@example.com' }, projectId);
    assert.equal(projectOnly.status, 401);
    const otherProject = (await stack.createProject('Other')).projectId;
    const wrongProject = await stack.post('/v1/auth/otp/update/email', { loginId: 'gus@example.com', email: 'g@example.com' }, `${otherProject}:${victim.bearer.split(':')[1]}`);
    assert.equal(wrongProject.status, 401);
    assert.equal(sink.messages.length, before, 'no code was sent');

    const invalid = await stack.post('/v1/auth/otp/update/phone/sms', { loginId: 'gus@example.com', phone: '+34 1' }, victim.bearer);
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.errorCode, 'E011003');
    assert.match(invalid.body.errorMessage, /^phone /);
    const fixed = await stack.post('/v1/auth/otp/update/phone/whatsapp', { loginId: 'gus@example.com', phone: '+44 20 7946 0958' }, victim.bearer);
    assert.equal(fixed.body.errorCode, 'E011003');
    assert.match(fixed.body.errorMessage, /voice/);
    const badEmail = await stack.post('/v1/auth/otp/update/email', { loginId: 'gus@example.com', email: 'nope' }, victim.bearer);
    assert.equal(badEmail.body.errorCode, 'E011003');
    assert.match(badEmail.body.errorMessage, /^email /);
  });
});
