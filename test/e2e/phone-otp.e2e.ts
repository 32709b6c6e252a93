import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { FakeTwilio } from '../support/fake-twilio.js';
import { phoneSignIn, TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN, TWILIO_WHATSAPP_FROM, twilioEnv, verifyWithJwks } from '../support/flows.js';
import { eventually, productionSecret, sleep, Stack } from '../support/stack.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const CHANNELS = ['sms', 'voice', 'whatsapp'] as const;
/** Spanish mobile numbers (valid, type MOBILE), distinct per test. */
let next = 0;
const mobile = () => `+34612${String(1000000 + ++next).slice(1)}`;
const LANDLINE = '+49301234567';

describe('phone channels through Twilio (SQLite)', () => {
  let stack: Stack;
  let twilio: FakeTwilio;
  let projectId: string;

  before(async () => {
    twilio = await new FakeTwilio().start();
    stack = await Stack.start({ db: 'sqlite', env: twilioEnv(twilio.url) });
    projectId = (await stack.createProject('Acme')).projectId;
  });
  after(async () => {
    await stack?.stop();
    await twilio?.stop();
  });

  for (const channel of CHANNELS) {
    it(`${channel}: sign-up, sign-in, sign-up-or-in and verify end to end`, async () => {
      const phone = mobile();
      const spaced = `${phone.slice(0, 3)} ${phone.slice(3, 6)} ${phone.slice(6, 9)} ${phone.slice(9)}`;
      const signup = await phoneSignIn(stack, twilio, projectId, channel, 'signup', spaced, { user: { name: 'Ada' } }, phone);
      assert.deepEqual(signup.sent.body, { maskedPhone: `+*******${phone.slice(-4)}` });
      assert.equal(signup.verified.status, 200, signup.verified.text);
      const user = signup.verified.body.user;
      assert.equal(user.phone, phone, 'stored as E.164');
      assert.equal(user.verifiedPhone, true);
      assert.deepEqual(user.loginIds, [phone]);
      assert.equal(signup.verified.body.firstSeen, true);
      const claims = await verifyWithJwks(stack, projectId, signup.verified.body.sessionJwt);
      assert.deepEqual(claims.amr, [channel]);

      // What Twilio received.
      const request = signup.request;
      assert.deepEqual(request.auth, { user: TWILIO_SID, password: TWILIO_TOKEN });
      assert.equal(request.accountSid, TWILIO_SID);
      assert.match(request.contentType, /^application\/x-www-form-urlencoded/);
      if (channel === 'voice') {
        assert.equal(request.resource, 'Calls');
        assert.equal(request.form.To, phone);
        assert.equal(request.form.From, TWILIO_FROM);
        const twiml = request.form.Twiml!;
        assert.match(twiml, /^<\?xml[^>]*\?><Response>.*<\/Response>$/);
        assert.match(twiml, /<Say language="en-US">Hello\. This is Acme\./);
        const digits = [...signup.code].map((d) => `<Say language="en-US">${d}</Say><Pause length="1"/>`).join('');
        assert.equal(twiml.split(digits).length - 1, 2, 'each digit alone, with a pause, and the whole code twice');
      } else {
        assert.equal(request.resource, 'Messages');
        assert.equal(request.form.To, channel === 'whatsapp' ? `whatsapp:${phone}` : phone);
        assert.equal(request.form.From, channel === 'whatsapp' ? `whatsapp:${TWILIO_WHATSAPP_FROM}` : TWILIO_FROM);
        assert.match(request.form.Body!, new RegExp(`${signup.code}.*Acme verification code\\. It expires in 5 minutes`));
      }

      const signin = await phoneSignIn(stack, twilio, projectId, channel, 'signin', phone);
      assert.equal(signin.verified.status, 200, signin.verified.text);
      assert.equal(signin.verified.body.firstSeen, false);
      assert.equal(signin.verified.body.user.userId, user.userId);

      const fresh = mobile();
      const upOrIn = await phoneSignIn(stack, twilio, projectId, channel, 'signup-in', fresh);
      assert.equal(upOrIn.verified.status, 200, upOrIn.verified.text);
      assert.equal(upOrIn.verified.body.firstSeen, true);
      assert.equal(upOrIn.verified.body.user.phone, fresh);
      const again = await phoneSignIn(stack, twilio, projectId, channel, 'signup-in', fresh);
      assert.equal(again.verified.body.firstSeen, false);
      assert.equal(again.verified.body.user.userId, upOrIn.verified.body.user.userId);

      const unknown = await stack.post(`/v1/auth/otp/signin/${channel}`, { loginId: mobile() }, projectId);
      assert.equal(unknown.body.errorCode, 'E062108');
    });
  }

  it('lists every phone and update route in the OpenAPI document, the update routes with the refresh-JWT bearer', async () => {
    const doc = (await stack.request('GET', '/docs/json')).body;
    for (const channel of CHANNELS) {
      for (const action of ['signup', 'signin', 'signup-in', 'verify']) assert.ok(doc.paths[`/v1/auth/otp/${action}/${channel}`], `${action}/${channel}`);
      assert.deepEqual(doc.paths[`/v1/auth/otp/update/phone/${channel}`].post.security, [{ RefreshJwt: [] }]);
    }
    assert.deepEqual(doc.paths['/v1/auth/otp/update/email'].post.security, [{ RefreshJwt: [] }]);
    assert.deepEqual(doc.paths['/v1/auth/otp/signin/sms'].post.security, [{ ProjectId: [] }]);
    assert.ok(doc.components.schemas.UpdatePhoneRequestDto.properties.phone.example);
  });

  it('sends to user.phone when the login ID is not a phone number', async () => {
    const phone = mobile();
    const result = await phoneSignIn(stack, twilio, projectId, 'sms', 'signup', 'grace', { user: { phone } }, phone);
    assert.equal(result.verified.status, 200, result.verified.text);
    assert.deepEqual(result.verified.body.user.loginIds, ['grace']);
    assert.equal(result.verified.body.user.phone, phone);
  });

  it('refuses invalid numbers and SMS/WhatsApp to a fixed line with a clear 400; voice calls the fixed line', async () => {
    for (const channel of CHANNELS) {
      const invalid = await stack.post(`/v1/auth/otp/signup/${channel}`, { loginId: '+1555010' }, projectId);
      assert.equal(invalid.status, 400);
      assert.equal(invalid.body.errorCode, 'E011003');
      assert.match(invalid.body.errorMessage, /loginId must be a valid phone number/);
    }
    const badUserPhone = await stack.post('/v1/auth/otp/signup/sms', { loginId: 'henry', user: { phone: '12' } }, projectId);
    assert.equal(badUserPhone.body.errorCode, 'E011003');
    assert.match(badUserPhone.body.errorMessage, /user\.phone/);
    for (const channel of ['sms', 'whatsapp']) {
      const fixed = await stack.post(`/v1/auth/otp/signup-in/${channel}`, { loginId: LANDLINE }, projectId);
      assert.equal(fixed.status, 400);
      assert.equal(fixed.body.errorCode, 'E011003');
      assert.match(fixed.body.errorMessage, /fixed-line.*voice/);
    }
    assert.equal(twilio.requests.filter((r) => r.form.To?.endsWith(LANDLINE)).length, 0, 'nothing was sent');
    const call = await phoneSignIn(stack, twilio, projectId, 'voice', 'signup-in', '+49 30 1234567', {}, LANDLINE);
    assert.equal(call.verified.status, 200, call.verified.text);
    assert.equal(call.verified.body.user.phone, LANDLINE);
  });

  it('speaks Spanish to a Spanish sign-in (SMS and voice) and English to an unknown locale', async () => {
    const phone = mobile();
    await phoneSignIn(stack, twilio, projectId, 'sms', 'signup', phone);
    const sms = await phoneSignIn(stack, twilio, projectId, 'sms', 'signin', phone, { loginOptions: { locale: 'es-MX' } });
    assert.equal(sms.verified.status, 200);
    assert.match(sms.request.form.Body!, new RegExp(`^${sms.code} es tu código de verificación de Acme\\. Caduca en 5 minutos\\.$`));

    const before = twilio.delivered(phone).length;
    const sent = await stack.request('POST', '/v1/auth/otp/signin/voice', {
      body: { loginId: phone },
      bearer: projectId,
      headers: { 'accept-language': 'es-ES,es;q=0.9,en;q=0.8' },
    });
    assert.equal(sent.status, 200);
    const call = await twilio.waitForDelivered(phone, before + 1);
    assert.match(call.form.Twiml!, /<Say language="es-ES">Hola\. Le llamamos de Acme\. Su código de verificación es:<\/Say>/);
    assert.match(call.form.Twiml!, /Repito, su código es:/);

    const unknown = await phoneSignIn(stack, twilio, projectId, 'whatsapp', 'signin', phone, { loginOptions: { locale: 'xx-YY', templateOptions: { name: 'Ada' } } });
    assert.match(unknown.request.form.Body!, new RegExp(`^Hi Ada, \\*${unknown.code}\\* is your Acme verification code\\.`));
  });

  it('ends the SMS with the WebOTP line when the project has a domain', async () => {
    const webOtp = (await stack.createProject('WebOTP', { webOtpDomain: 'app.example.com' })).projectId;
    const phone = mobile();
    const sms = await phoneSignIn(stack, twilio, webOtp, 'sms', 'signup-in', phone);
    assert.ok(sms.request.form.Body!.endsWith(`\n\n@app.example.com #${sms.code}`), sms.request.form.Body);
    const whatsapp = await phoneSignIn(stack, twilio, webOtp, 'whatsapp', 'signin', phone);
    assert.doesNotMatch(whatsapp.request.form.Body!, /@app\.example\.com/, 'WebOTP is for SMS only');
    const bad = stack.cli('project', 'update', webOtp, '--set', 'webOtpDomain=https://app.example.com/');
    assert.notEqual(bad.status, 0);
  });

  it('retries 500, 500 then delivers exactly once', async () => {
    const phone = mobile();
    await phoneSignIn(stack, twilio, projectId, 'sms', 'signup', phone);
    const requestsBefore = twilio.requests.filter((r) => r.form.To === phone).length;
    twilio.failNext(2, 500);
    const result = await phoneSignIn(stack, twilio, projectId, 'sms', 'signin', phone);
    assert.equal(result.verified.status, 200, 'the code from the third attempt works');
    await sleep(1500);
    const requests = twilio.requests.filter((r) => r.form.To === phone).slice(requestsBefore);
    assert.deepEqual(
      requests.map((r) => r.status),
      [500, 500, 201],
    );
    assert.equal(twilio.delivered(phone).length, 2, 'one for the sign-up, exactly one for the sign-in');
  });

  it('fails the job at once, without retries, when Twilio says the number is invalid', async () => {
    const phone = mobile();
    twilio.invalidNumbers.add(phone);
    const sent = await stack.post('/v1/auth/otp/signup/sms', { loginId: phone }, projectId);
    assert.equal(sent.status, 200, 'the route answers before delivery');
    const queue = new Queue('delivery', { connection: { url: stack.env.REDIS_URL }, prefix: '{otpq}' });
    try {
      const failed = await eventually(
        async () => (await queue.getFailed()).find((job) => /21211/.test(job.failedReason)),
        10_000,
        'a failed job',
      );
      assert.equal(failed.attemptsMade, 1);
      await sleep(2500);
      assert.equal(twilio.requests.filter((r) => r.form.To === phone).length, 1, 'no retry reached Twilio');
      assert.equal((await queue.getJob(failed.id!))?.attemptsMade, 1);
      assert.ok(await (await queue.getJob(failed.id!))?.isFailed());
    } finally {
      await queue.close();
    }
  });
});

describe('phone channels through the signed delivery webhook (SQLite)', () => {
  let stack: Stack;
  let receiver: WebhookReceiver;
  let projectId: string;

  before(async () => {
    receiver = await new WebhookReceiver().start();
    stack = await Stack.start({
      db: 'sqlite',
      env: {
        SMS_PROVIDER: 'webhook',
        VOICE_PROVIDER: 'webhook',
        WHATSAPP_PROVIDER: 'webhook',
        DELIVERY_WEBHOOK_URL: receiver.url,
        DELIVERY_WEBHOOK_SECRET: WebhookReceiver.SECRET,
      },
    });
    projectId = (await stack.createProject('Hooked')).projectId;
  });
  after(async () => {
    await stack?.stop();
    await receiver?.stop();
  });

  for (const channel of CHANNELS) {
    it(`${channel}: sign-up, sign-in, sign-up-or-in and verify, each message signed`, async () => {
      const phone = mobile();
      for (const route of ['signup', 'signin', 'signup-in'] as const) {
        const n = receiver.delivered(phone).length;
        const started = Date.now();
        const sent = await stack.post(`/v1/auth/otp/${route}/${channel}`, { loginId: phone, loginOptions: { locale: 'fr' } }, projectId);
        assert.equal(sent.status, 200, sent.text);
        const hook = await receiver.waitForDelivered(phone, n + 1);
        assert.ok(hook.payload, `signature verified: ${hook.verifyError}`);
        assert.match(hook.headers['webhook-id']!, /^msg_[0-9a-f-]{36}$/);
        assert.match(hook.headers['webhook-signature']!, /^v1,/);
        const p = hook.payload;
        assert.deepEqual(Object.keys(p).sort(), ['channel', 'code', 'expiresAt', 'locale', 'loginId', 'projectId', 'text', 'to', 'type']);
        assert.equal(p.type, 'otp');
        assert.equal(p.channel, channel);
        assert.equal(p.to, phone);
        assert.equal(p.projectId, projectId);
        assert.equal(p.loginId, phone);
        assert.equal(p.locale, 'fr');
        assert.match(p.code, /^\d{6}$/);
        assert.ok(Math.abs(p.expiresAt - (started / 1000 + 300)) < 10, 'expiresAt in unix seconds');
        const spoken = channel === 'voice' ? [...p.code].join(', ') : p.code;
        assert.ok(p.text.includes(spoken), p.text);
        assert.match(p.text, /Hooked/);
        assert.match(p.text, /code de vérification/);
        const verified = await stack.post(`/v1/auth/otp/verify/${channel}`, { loginId: phone, code: p.code }, projectId);
        assert.equal(verified.status, 200, verified.text);
        assert.equal(verified.body.firstSeen, route === 'signup');
      }
    });
  }

  it('a tampered signature would not verify (the receiver really checks)', async () => {
    const hook = receiver.received.find((r) => r.payload)!;
    const forged = { ...hook.headers, 'webhook-signature': hook.headers['webhook-signature']!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) };
    const { Webhook } = await import('standardwebhooks');
    assert.throws(() => new Webhook(WebhookReceiver.SECRET).verify(hook.raw, forged));
  });

  it('retries a 503 and fails a 4xx at once', async () => {
    const phone = mobile();
    receiver.failNext(1, 503);
    const ok = await stack.post('/v1/auth/otp/signup-in/sms', { loginId: phone }, projectId);
    assert.equal(ok.status, 200);
    await receiver.waitForDelivered(phone, 1);
    const ids = receiver.received.filter((r) => r.payload?.to === phone).map((r) => r.headers['webhook-id']);
    assert.deepEqual(ids, [ids[0], ids[0]], 'the retry carries the same webhook-id');

    const rejected = mobile();
    receiver.failNext(1, 422);
    await stack.post('/v1/auth/otp/signup-in/sms', { loginId: rejected }, projectId);
    await sleep(2500);
    assert.deepEqual(
      receiver.received.filter((r) => r.payload?.to === rejected).map((r) => r.status),
      [422],
    );
  });
});

describe('phone sign-in on PostgreSQL', () => {
  let stack: Stack;
  let twilio: FakeTwilio;

  before(async () => {
    twilio = await new FakeTwilio().start();
    stack = await Stack.start({ db: 'postgres', env: twilioEnv(twilio.url) });
  });
  after(async () => {
    await stack?.stop();
    await twilio?.stop();
  });

  it('signs up and signs in over SMS, storing E.164', async () => {
    const projectId = (await stack.createProject('Pg')).projectId;
    const phone = mobile();
    const signup = await phoneSignIn(stack, twilio, projectId, 'sms', 'signup', `${phone.slice(0, 3)} (${phone.slice(3, 6)}) ${phone.slice(6)}`, {}, phone);
    assert.equal(signup.verified.status, 200, signup.verified.text);
    assert.equal(signup.verified.body.user.phone, phone);
    const signin = await phoneSignIn(stack, twilio, projectId, 'sms', 'signin', phone);
    assert.equal(signin.verified.status, 200, signin.verified.text);
    assert.equal(signin.verified.body.user.userId, signup.verified.body.user.userId);
    assert.equal(signin.verified.body.firstSeen, false);
  });
});

describe('phone channels switched off (production without a phone provider)', () => {
  let stack: Stack;
  let receiver: WebhookReceiver;

  before(async () => {
    receiver = await new WebhookReceiver().start();
    stack = await Stack.start({
      env: {
        NODE_ENV: 'production',
        OTP_SECRET: productionSecret(),
        EMAIL_PROVIDER: 'smtp',
        SMTP_URL: 'smtp://127.0.0.1:9',
        SMS_PROVIDER: 'webhook',
        DELIVERY_WEBHOOK_URL: receiver.url,
        DELIVERY_WEBHOOK_SECRET: WebhookReceiver.SECRET,
      },
    });
  });
  after(async () => {
    await stack?.stop();
    await receiver?.stop();
  });

  it('answers 400 naming the method on an unconfigured channel, and serves the configured one', async () => {
    const projectId = (await stack.createProject('Prod')).projectId;
    for (const channel of ['voice', 'whatsapp']) {
      const off = await stack.post(`/v1/auth/otp/signup-in/${channel}`, { loginId: '+34612999999' }, projectId);
      assert.equal(off.status, 400);
      assert.equal(off.body.errorCode, 'E011003');
      assert.match(off.body.errorMessage, new RegExp(`${channel} is not enabled`));
    }
    const on = await stack.post('/v1/auth/otp/signup-in/sms', { loginId: '+34612999999' }, projectId);
    assert.equal(on.status, 200, on.text);
    const hook = await receiver.waitForDelivered('+34612999999');
    const verified = await stack.post('/v1/auth/otp/verify/sms', { loginId: '+34612999999', code: hook.payload!.code }, projectId);
    assert.equal(verified.status, 200, verified.text);
  });
});
