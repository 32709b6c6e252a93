import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { codeIn, FakeTwilio } from '../support/fake-twilio.js';
import { phoneSignIn } from '../support/flows.js';
import { type MailAndPhoneStack, startMailAndPhoneStack } from '../support/mail-and-phone.js';
import { queryDatabase } from '../support/db-query.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { type DbKind, eventually, sleep, Stack } from '../support/stack.js';

/** Spanish mobile numbers (valid, type MOBILE), distinct per test and database. */
let next = 0;
const mobile = () => `+34622${String(1000000 + ++next).slice(1)}`;

/** The number with its ASCII digits (and plus) swapped for another script's. */
const fullWidth = (phone: string) => phone.replace(/[+\d]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const arabicIndic = (phone: string) => phone.replace(/\d/g, (d) => String.fromCharCode(0x0660 + Number(d)));
const easternArabicIndic = (phone: string) => phone.replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)));

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`sign-up creates nothing until its code is verified, on ${db}`, () => {
    let stack: Stack;
    let sink: SmtpSink;
    let twilio: FakeTwilio;
    let world: MailAndPhoneStack;

    before(async () => {
      world = await startMailAndPhoneStack(db);
      ({ stack, sink, twilio } = world);
    });
    after(() => world?.stop());

    const userCount = async (projectId: string) =>
      Number((await queryDatabase<{ n: number | string }>(stack, 'SELECT COUNT(*) AS n FROM users WHERE project_id = $1', [projectId]))[0]!.n);
    const loginIdRows = async (projectId: string, loginId: string) =>
      queryDatabase<{ user_id: string }>(stack, 'SELECT user_id FROM login_ids WHERE project_id = $1 AND login_id = $2', [projectId, loginId]);

    it('squatting: an e-mail login ID signs up only with its own address; nothing exists before the verify', async () => {
      const { projectId } = await stack.createProject('Victim Corp');
      const squat = await stack.post('/v1/auth/otp/signup/email', { loginId: 'ceo@victimcorp.example', user: { email: 'attacker@evil.example' } }, projectId);
      assert.equal(squat.status, 400, squat.text);
      assert.equal(squat.body.errorCode, 'E011003');
      assert.match(squat.body.errorMessage, /user\.email/);
      // The same over a phone channel: an SMS code proves the phone, not the mailbox of the login ID.
      const bySms = await stack.post('/v1/auth/otp/signup/sms', { loginId: 'ceo@victimcorp.example', user: { phone: mobile() } }, projectId);
      assert.equal(bySms.status, 400, bySms.text);
      assert.equal(bySms.body.errorCode, 'E011003');
      // And a phone login ID does not sign up by e-mail.
      const phoneByMail = await stack.post('/v1/auth/otp/signup/email', { loginId: mobile(), user: { email: 'attacker@evil.example' } }, projectId);
      assert.equal(phoneByMail.status, 400, phoneByMail.text);
      await sleep(300);
      assert.equal(sink.to('attacker@evil.example').length, 0, 'no code went to the attacker');
      assert.equal(await userCount(projectId), 0, 'the refused sign-ups created no user');

      // The real owner: the same address in other case is fine, and the profile waits in the challenge.
      const before = sink.to('ceo@victimcorp.example').length;
      const sent = await stack.post('/v1/auth/otp/signup/email', { loginId: 'CEO@victimcorp.example', user: { email: 'ceo@VictimCorp.example', name: 'Real CEO' } }, projectId);
      assert.equal(sent.status, 200, sent.text);
      assert.deepEqual(sent.body, { maskedEmail: 'c***@victimcorp.example' });
      const code = await sink.codeFor('ceo@victimcorp.example', before + 1);
      assert.equal(await userCount(projectId), 0, 'a pending sign-up is no user');
      const signin = await stack.post('/v1/auth/otp/signin/email', { loginId: 'ceo@victimcorp.example' }, projectId);
      assert.equal(signin.body.errorCode, 'E062108', 'a pending sign-up cannot be signed in to');
      // That refused sign-in issued no code, so the sign-up's code is still the live one.
      const verified = await stack.post('/v1/auth/otp/verify/email', { loginId: 'ceo@victimcorp.example', code }, projectId);
      assert.equal(verified.status, 200, verified.text);
      assert.equal(verified.body.firstSeen, true);
      assert.equal(verified.body.user.name, 'Real CEO');
      assert.equal(verified.body.user.email, 'ceo@victimcorp.example');
      assert.equal(verified.body.user.verifiedEmail, true);
      assert.deepEqual(verified.body.user.loginIds, ['ceo@victimcorp.example']);
      assert.equal(await userCount(projectId), 1);

      const again = await stack.post('/v1/auth/otp/signup/email', { loginId: 'ceo@victimcorp.example' }, projectId);
      assert.equal(again.status, 400);
      assert.equal(again.body.errorCode, 'E062107', 'sign-up of an existing login ID still answers E062107 at send time');
    });

    it('usernames may name their address unless the project says usernameLoginIds=false', async () => {
      const open = await stack.createProject('Usernames');
      const address = `${randomUUID()}@example.com`;
      const sent = await stack.post('/v1/auth/otp/signup/email', { loginId: 'Ada', user: { email: address } }, open.projectId);
      assert.equal(sent.status, 200, sent.text);
      assert.equal(await userCount(open.projectId), 0);
      const verified = await stack.post('/v1/auth/otp/verify/email', { loginId: 'ada', code: await sink.codeFor(address) }, open.projectId);
      assert.equal(verified.status, 200, verified.text);
      assert.deepEqual(verified.body.user.loginIds, ['ada']);
      assert.equal(verified.body.user.email, address);

      const strict = await stack.createProject('Addresses only', { usernameLoginIds: false });
      const refused = await stack.post('/v1/auth/otp/signup/email', { loginId: 'ada', user: { email: address } }, strict.projectId);
      assert.equal(refused.status, 400, refused.text);
      assert.equal(refused.body.errorCode, 'E011003');
      assert.match(refused.body.errorMessage, /usernameLoginIds/);
    });

    it('a flood of sign-up-or-in requests for new addresses leaves the users table unchanged', async () => {
      const { projectId } = await stack.createProject('Flood');
      const addresses = Array.from({ length: 40 }, () => `${randomUUID()}@flood.example`);
      const answers = await Promise.all(addresses.map((loginId) => stack.post('/v1/auth/otp/signup-in/email', { loginId }, projectId)));
      assert.ok(answers.every((a) => a.status === 200), answers.map((a) => a.text).join('\n'));
      const phones = Array.from({ length: 10 }, mobile);
      const phoneAnswers = await Promise.all(phones.map((loginId) => stack.post('/v1/auth/otp/signup-in/sms', { loginId }, projectId)));
      assert.ok(phoneAnswers.every((a) => a.status === 200), phoneAnswers.map((a) => a.text).join('\n'));
      await twilio.waitForDelivered(phones.at(-1)!);
      assert.equal(await userCount(projectId), 0, 'no user row for an unverified sign-up-or-in');

      // One of them verifies: that one user, and only it, exists; the next sign-up-or-in signs in.
      const code = await sink.codeFor(addresses[7]!);
      const verified = await stack.post('/v1/auth/otp/verify/email', { loginId: addresses[7], code }, projectId);
      assert.equal(verified.status, 200, verified.text);
      assert.equal(verified.body.firstSeen, true);
      assert.equal(verified.body.user.verifiedEmail, true);
      assert.equal(await userCount(projectId), 1);
      const before = sink.to(addresses[7]!).length;
      assert.equal((await stack.post('/v1/auth/otp/signup-in/email', { loginId: addresses[7] }, projectId)).status, 200);
      const second = await stack.post('/v1/auth/otp/verify/email', { loginId: addresses[7], code: await sink.codeFor(addresses[7]!, before + 1) }, projectId);
      assert.equal(second.status, 200, second.text);
      assert.equal(second.body.firstSeen, false);
      assert.equal(second.body.user.userId, verified.body.user.userId);
      assert.equal(await userCount(projectId), 1);
    });

    it('the later of two pending sign-ups wins; a login ID taken before the verify answers E062107', async () => {
      const { projectId, managementKey } = await stack.createProject('Pending');
      await stack.post('/v1/auth/otp/signup/email', { loginId: 'twice@example.com', user: { name: 'First' } }, projectId);
      const first = await sink.codeFor('twice@example.com', 1);
      const resent = await stack.post('/v1/auth/otp/signup/email', { loginId: 'twice@example.com', user: { name: 'Second' } }, projectId);
      assert.equal(resent.status, 200, 'a second pending sign-up of a new login ID is no conflict');
      const second = await sink.codeFor('twice@example.com', 2);
      if (first !== second) {
        const stale = await stack.post('/v1/auth/otp/verify/email', { loginId: 'twice@example.com', code: first }, projectId);
        assert.equal(stale.body.errorCode, 'E061102', 'the earlier challenge was replaced');
      }
      const verified = await stack.post('/v1/auth/otp/verify/email', { loginId: 'twice@example.com', code: second }, projectId);
      assert.equal(verified.status, 200, verified.text);
      assert.equal(verified.body.user.name, 'Second', 'the later profile is the one created');

      await stack.post('/v1/auth/otp/signup/email', { loginId: 'taken@example.com' }, projectId);
      const code = await sink.codeFor('taken@example.com');
      const created = await stack.post('/v1/mgmt/user/create', { loginId: 'taken@example.com', email: 'taken@example.com' }, `${projectId}:${managementKey}`);
      assert.equal(created.status, 200, created.text);
      const lost = await stack.post('/v1/auth/otp/verify/email', { loginId: 'taken@example.com', code }, projectId);
      assert.equal(lost.status, 400, lost.text);
      assert.equal(lost.body.errorCode, 'E062107');
      const owners = await loginIdRows(projectId, 'taken@example.com');
      assert.deepEqual(owners.map((o) => o.user_id), [created.body.user.userId]);
      assert.equal(await userCount(projectId), 2, 'the loser left no user row behind');
    });

    it('phone login IDs are E.164: other digit scripts are one user, extensions are refused, a refused send creates nothing', async () => {
      const { projectId } = await stack.createProject('One phone');
      const phone = mobile();
      const signup = await phoneSignIn(stack, twilio, projectId, 'sms', 'signup', fullWidth(phone), {}, phone);
      assert.equal(signup.verified.status, 200, signup.verified.text);
      assert.deepEqual(signup.verified.body.user.loginIds, [phone]);
      const userId = signup.verified.body.user.userId;
      for (const variant of [arabicIndic(phone), easternArabicIndic(phone), fullWidth(phone), `+${fullWidth(phone.slice(1))}`]) {
        const dup = await stack.post('/v1/auth/otp/signup/sms', { loginId: variant }, projectId);
        assert.equal(dup.body.errorCode, 'E062107', `${variant} is the same login ID`);
        const signin = await phoneSignIn(stack, twilio, projectId, 'sms', 'signup-in', variant, {}, phone);
        assert.equal(signin.verified.status, 200, signin.verified.text);
        assert.equal(signin.verified.body.user.userId, userId);
      }
      for (const [channel, variant] of [
        ['sms', `${phone};ext=2`],
        ['sms', `${phone} x 22`],
        ['voice', `${arabicIndic(phone)} ext. 7`],
        ['email', `${phone} x 22`],
      ] as const) {
        const refused = await stack.post(`/v1/auth/otp/signup-in/${channel}`, { loginId: variant }, projectId);
        assert.equal(refused.status, 400, `${channel} ${variant}: ${refused.text}`);
        assert.equal(refused.body.errorCode, 'E011003');
        assert.match(refused.body.errorMessage, /extension/);
      }
      assert.equal(await userCount(projectId), 1);

      // A send refused by a limit leaves nothing behind either.
      const limited = await stack.createProject('Cooldown', { recipientCooldownSeconds: 30 });
      const other = mobile();
      assert.equal((await stack.post('/v1/auth/otp/signup-in/sms', { loginId: fullWidth(other) }, limited.projectId)).status, 200);
      const refused = await stack.post('/v1/auth/otp/signup-in/sms', { loginId: arabicIndic(other) }, limited.projectId);
      assert.equal(refused.status, 429, refused.text);
      assert.equal(await userCount(limited.projectId), 0);
    });

    it('a new code over another channel kills the earlier one; a challenge verifies only over the channels it went over', async () => {
      const { projectId } = await stack.createProject('Channels', { deliveryFallback: 'whatsapp>sms' });
      const phone = mobile();
      assert.equal((await phoneSignIn(stack, twilio, projectId, 'sms', 'signup', phone)).verified.status, 200);

      let count = twilio.delivered(phone).length;
      assert.equal((await stack.post('/v1/auth/otp/signin/sms', { loginId: phone }, projectId)).status, 200);
      const smsCode = await twilio.codeFor(phone, ++count);
      assert.equal((await stack.post('/v1/auth/otp/signin/voice', { loginId: phone }, projectId)).status, 200);
      const voiceCode = await twilio.codeFor(phone, ++count);
      if (smsCode !== voiceCode) {
        const stale = await stack.post('/v1/auth/otp/verify/sms', { loginId: phone, code: smsCode }, projectId);
        assert.equal(stale.status, 401, stale.text);
        assert.equal(stale.body.errorCode, 'E061102');
      }
      const elsewhere = await stack.post('/v1/auth/otp/verify/sms', { loginId: phone, code: voiceCode }, projectId);
      assert.equal(elsewhere.body.errorCode, 'E061102', 'a voice code does not verify over SMS');
      const verified = await stack.post('/v1/auth/otp/verify/voice', { loginId: phone, code: voiceCode }, projectId);
      assert.equal(verified.status, 200, verified.text);

      // A new code of another purpose (an e-mail sign-up-or-in) replaces it too.
      assert.equal((await stack.post('/v1/auth/otp/signin/sms', { loginId: phone }, projectId)).status, 200);
      const pending = await twilio.codeFor(phone, ++count);
      assert.equal((await stack.post('/v1/auth/otp/signup-in/sms', { loginId: phone }, projectId)).status, 200);
      const latest = await twilio.codeFor(phone, ++count);
      if (pending !== latest) assert.equal((await stack.post('/v1/auth/otp/verify/sms', { loginId: phone, code: pending }, projectId)).body.errorCode, 'E061102');
      assert.equal((await stack.post('/v1/auth/otp/verify/sms', { loginId: phone, code: latest }, projectId)).status, 200);

      // Fallback: a WhatsApp code that could not be delivered arrives by SMS and verifies there...
      const noWhatsapp = mobile();
      twilio.noWhatsappNumbers.add(noWhatsapp);
      assert.equal((await stack.post('/v1/auth/otp/signup/whatsapp', { loginId: noWhatsapp }, projectId)).status, 200);
      const sms = await eventually(() => twilio.requests.find((r) => r.form.To === noWhatsapp && r.status === 201), 15_000, 'the fallback SMS');
      const fellBack = await stack.post('/v1/auth/otp/verify/sms', { loginId: noWhatsapp, code: codeIn(sms) }, projectId);
      assert.equal(fellBack.status, 200, fellBack.text);
      // ...but a WhatsApp code that reached WhatsApp never went by SMS, so it does not verify there.
      const reached = mobile();
      assert.equal((await stack.post('/v1/auth/otp/signup/whatsapp', { loginId: reached }, projectId)).status, 200);
      const whatsappCode = await twilio.codeFor(reached, 1);
      const notSent = await stack.post('/v1/auth/otp/verify/sms', { loginId: reached, code: whatsappCode }, projectId);
      assert.equal(notSent.body.errorCode, 'E061102', notSent.text);
      assert.equal((await stack.post('/v1/auth/otp/verify/whatsapp', { loginId: reached, code: whatsappCode }, projectId)).status, 200);
    });
  });
}
