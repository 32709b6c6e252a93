import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { codeIn, FakeTwilio } from '../support/fake-twilio.js';
import { twilioEnv } from '../support/flows.js';
import { eventually, Stack } from '../support/stack.js';

let next = 0;
const mobile = () => `+34613${String(1000000 + ++next).slice(1)}`;

describe('delivery fallback across phone channels (SQLite)', () => {
  let stack: Stack;
  let twilio: FakeTwilio;
  let project: { projectId: string; managementKey: string };

  before(async () => {
    twilio = await new FakeTwilio().start();
    stack = await Stack.start({ db: 'sqlite', env: twilioEnv(twilio.url) });
    project = await stack.createProject('Acme', { deliveryFallback: 'whatsapp>sms' });
  });
  after(async () => {
    await stack?.stop();
    await twilio?.stop();
  });

  const whatsappTo = (phone: string) => twilio.requests.filter((r) => r.form.To === `whatsapp:${phone}`);
  const smsTo = (phone: string) => twilio.requests.filter((r) => r.form.To === phone);

  /** Signs up over WhatsApp a number without WhatsApp; the same code arrives by SMS. */
  async function signUpWithoutWhatsapp(): Promise<{ phone: string; code: string }> {
    const phone = mobile();
    twilio.noWhatsappNumbers.add(phone);
    const sent = await stack.post('/v1/auth/otp/signup/whatsapp', { loginId: phone }, project.projectId);
    assert.equal(sent.status, 200, sent.text);
    assert.deepEqual(sent.body, { maskedPhone: `+*******${phone.slice(-4)}` }, 'the send route answers as usual');
    const sms = await eventually(() => smsTo(phone).find((r) => r.status === 201), 15_000, 'the fallback SMS');
    assert.equal(sms.resource, 'Messages');
    assert.equal(whatsappTo(phone).length, 1, 'WhatsApp was tried once');
    assert.equal(whatsappTo(phone)[0]!.status, 400);
    assert.equal(codeIn(sms), codeIn(whatsappTo(phone)[0]!), 'the SMS carries the code of the refused WhatsApp message');
    return { phone, code: codeIn(sms) };
  }

  for (const route of ['whatsapp', 'sms'] as const) {
    it(`a WhatsApp code that fails permanently arrives by SMS, and verifies at verify/${route}`, async () => {
      const { phone, code } = await signUpWithoutWhatsapp();
      // Give a stray second message time to show up.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(smsTo(phone).length, 1, 'exactly one SMS');

      const wrong = await stack.post(`/v1/auth/otp/verify/${route}`, { loginId: phone, code: code === '000000' ? '111111' : '000000' }, project.projectId);
      assert.equal(wrong.status, 401, 'a wrong code still fails');
      const verified = await stack.post(`/v1/auth/otp/verify/${route}`, { loginId: phone, code }, project.projectId);
      assert.equal(verified.status, 200, verified.text);
      assert.equal(verified.body.user.phone, phone);
      const again = await stack.post(`/v1/auth/otp/verify/${route}`, { loginId: phone, code }, project.projectId);
      assert.equal(again.status, 401, 'the code is consumed');

      const records = await eventually(async () => {
        const list = await stack.request('GET', `/v1/mgmt/deliveries?loginId=${encodeURIComponent(phone)}`, { bearer: `${project.projectId}:${project.managementKey}` });
        const rows = (list.body.deliveries ?? []) as { channel: string; state: string; step: number; challengeId: string; providerError: string | null }[];
        return rows.length === 2 && rows.some((r) => r.channel === 'sms' && r.state !== 'queued') && rows;
      }, 10_000, 'two delivery records');
      const whatsapp = records.find((r) => r.channel === 'whatsapp')!;
      const sms = records.find((r) => r.channel === 'sms')!;
      assert.equal(whatsapp.state, 'failed');
      assert.equal(whatsapp.step, 0);
      assert.match(whatsapp.providerError!, /HTTP 400/);
      assert.ok(['sent', 'delivered'].includes(sms.state), sms.state);
      assert.equal(sms.step, 1);
      assert.equal(sms.challengeId, whatsapp.challengeId, 'one challenge, two steps');
    });
  }

  it('without a fallback chain a failed WhatsApp code stays failed', async () => {
    const other = await stack.createProject('Plain');
    const phone = mobile();
    twilio.noWhatsappNumbers.add(phone);
    const sent = await stack.post('/v1/auth/otp/signup/whatsapp', { loginId: phone }, other.projectId);
    assert.equal(sent.status, 200);
    await eventually(() => whatsappTo(phone).length === 1, 15_000, 'the WhatsApp attempt');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(smsTo(phone).length, 0);
  });
});
