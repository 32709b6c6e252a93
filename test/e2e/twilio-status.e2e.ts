import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { FakeTwilio } from '../support/fake-twilio.js';
import { TWILIO_TOKEN, twilioEnv } from '../support/flows.js';
import { sample } from '../support/metrics.js';
import { freePort } from '../support/ports.js';
import { eventually, Stack } from '../support/stack.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

let next = 0;
const mobile = () => `+34622${String(1000000 + ++next).slice(1)}`;

describe('Twilio status callbacks move delivery records to delivered or failed (SQLite)', () => {
  let stack: Stack;
  let twilio: FakeTwilio;
  let hooks: WebhookReceiver;
  let project: { projectId: string; managementKey: string };
  let publicUrl: string;
  const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const mgmt = () => `${project.projectId}:${project.managementKey}`;

  before(async () => {
    twilio = await new FakeTwilio(TWILIO_TOKEN).start();
    hooks = await new WebhookReceiver(webhookSecret).start();
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    stack = await Stack.start({ db: 'sqlite', env: { ...twilioEnv(twilio.url), PORT: String(port), PUBLIC_URL: `${publicUrl}/` } });
    project = await stack.createProject('Status', { statusWebhookUrl: hooks.url, statusWebhookSecret: webhookSecret });
  });
  after(async () => {
    await stack?.stop();
    await twilio?.stop();
    await hooks?.stop();
  });

  const recordOf = (phone: string, state: string) =>
    eventually(async () => {
      const list = await stack.request('GET', `/v1/mgmt/deliveries?loginId=${encodeURIComponent(phone)}`, { bearer: mgmt() });
      return list.body.deliveries?.[0]?.state === state && { record: list.body.deliveries[0], text: list.text };
    }, 10_000, `a ${state} delivery to ${phone}`);

  const webhookStates = (deliveryId: string) => {
    return hooks
      .payloads<{ type: string; data: { deliveryId: string; updatedTime: number } }>()
      .filter((e) => e.data.deliveryId === deliveryId)
      // API and worker post independently, so arrival order is not state order: the record's time is.
      .sort((a, b) => a.data.updatedTime - b.data.updatedTime)
      .map((e) => e.type);
  };

  it('an SMS and a call go queued → sent → delivered when Twilio reports them delivered / completed', async () => {
    for (const channel of ['sms', 'voice'] as const) {
      const phone = mobile();
      const sent = await stack.post(`/v1/auth/otp/signup-in/${channel}`, { loginId: phone }, project.projectId);
      assert.equal(sent.status, 200, sent.text);
      const request = await twilio.waitForDelivered(phone);
      assert.equal(request.form.StatusCallback, `${publicUrl}/v1/delivery/twilio/status`, 'PUBLIC_URL + the callback route, once slash');
      const { record, text } = await recordOf(phone, 'delivered');
      assert.equal(record.channel, channel);
      assert.equal(record.provider, 'twilio');
      assert.match(record.providerMessageId, channel === 'voice' ? /^CA/ : /^SM/);
      assert.ok(record.sentTime && record.deliveredTime >= record.sentTime);
      assert.equal(record.providerError, null);
      const code = request.resource === 'Calls' ? null : /\b(\d{6})\b/.exec(request.form.Body!)![1]!;
      if (code) assert.ok(!text.includes(code), 'the management route never shows the code');
      const callback = twilio.callbacks.find((c) => c.form.MessageSid === record.providerMessageId || c.form.CallSid === record.providerMessageId)!;
      assert.equal(callback.status, 200);
      assert.equal(callback.body, '{}');
      const states = await eventually(() => webhookStates(record.deliveryId).length === 3 && webhookStates(record.deliveryId), 5_000, 'three webhook events');
      assert.deepEqual(states, ['delivery.queued', 'delivery.sent', 'delivery.delivered']);
    }
    const metrics = (await stack.request('GET', '/metrics')).text;
    for (const channel of ['sms', 'voice']) {
      assert.equal(sample(metrics, 'otp_funnel_total', { project: project.projectId, channel, outcome: 'delivered' }), 1, `${channel} counted delivered once`);
    }
  });

  it('a message Twilio reports undelivered is failed with its error code', async () => {
    const phone = mobile();
    twilio.unreachableNumbers.add(phone);
    const sent = await stack.post('/v1/auth/otp/signup-in/whatsapp', { loginId: phone }, project.projectId);
    assert.equal(sent.status, 200, 'the send route answers before the outcome is known');
    const { record } = await recordOf(phone, 'failed');
    assert.equal(record.sentTime > 0, true, 'Twilio accepted it first');
    assert.match(record.providerError, /undelivered/);
    assert.match(record.providerError, /30003/);
    assert.ok(record.failedTime >= record.sentTime);
  });

  it('refuses a callback with a wrong or missing signature and leaves the record alone', async () => {
    const phone = mobile();
    await stack.post('/v1/auth/otp/signup-in/sms', { loginId: phone }, project.projectId);
    const { record } = await recordOf(phone, 'delivered');
    const form = new URLSearchParams({ MessageSid: record.providerMessageId, MessageStatus: 'failed', ErrorCode: '30008' }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const forged = await stack.request('POST', '/v1/delivery/twilio/status', { rawBody: form, headers: { ...headers, 'x-twilio-signature': 'RSOYDt4T1cUTdK1PDd93/VVr8B8=' } });
    assert.equal(forged.status, 401, forged.text);
    assert.equal(forged.body.errorCode, 'E011004');
    const unsigned = await stack.request('POST', '/v1/delivery/twilio/status', { rawBody: form, headers });
    assert.equal(unsigned.status, 401);
    const after = await stack.request('GET', `/v1/mgmt/deliveries/${record.deliveryId}`, { bearer: mgmt() });
    assert.equal(after.body.delivery.state, 'delivered');
    assert.equal(after.body.delivery.providerError, null);
  });
});
