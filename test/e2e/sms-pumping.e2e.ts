import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeTwilio } from '../support/fake-twilio.js';
import { phoneSignIn, twilioEnv } from '../support/flows.js';
import { type ApiResponse, sleep, Stack } from '../support/stack.js';

const CHANNELS = ['sms', 'voice', 'whatsapp'] as const;

function assertRefused(response: ApiResponse, status: number, code: string, what: string): void {
  assert.equal(response.status, status, `${what}: ${response.text}`);
  assert.equal(response.body.errorCode, code, what);
}

/** SMS pumping (toll fraud) defences on the phone channels: countries, number types, prefix velocity. */
describe('SMS pumping defence', () => {
  let stack: Stack;
  let twilio: FakeTwilio;

  before(async () => {
    twilio = await new FakeTwilio().start();
    stack = await Stack.start({ db: 'sqlite', env: twilioEnv(twilio.url) });
  });
  after(async () => {
    await stack?.stop();
    await twilio?.stop();
  });

  it('refuses numbers of a country outside allowedCountries with E011003 naming the country, on every phone channel; creates no user', async () => {
    const { projectId } = await stack.createProject('Spain only', { allowedCountries: 'ES' });
    const french = '+33612345678';
    for (const channel of CHANNELS) {
      for (const route of ['signup', 'signup-in'] as const) {
        const response = await stack.post(`/v1/auth/otp/${route}/${channel}`, { loginId: french }, projectId);
        assertRefused(response, 400, 'E011003', `${route}/${channel}`);
        assert.match(response.body.errorMessage, /\bFR\b/, 'names the refused country');
      }
    }
    assertRefused(await stack.post('/v1/auth/otp/signin/sms', { loginId: french }, projectId), 400, 'E062108', 'the refused sign-ups left no user');
    // A Spanish number goes through on the same project.
    const spanish = await phoneSignIn(stack, twilio, projectId, 'sms', 'signup-in', '+34612300001');
    assert.equal(spanish.verified.status, 200, spanish.verified.text);
    await sleep(300);
    assert.equal(twilio.delivered(french).length, 0, 'nothing was sent to the refused number');
    assert.equal(stack.cli('project', 'update', projectId, '--set', 'allowedCountries=es').status === 0, false, 'lower-case codes are refused');
  });

  it('refuses premium-rate and shared-cost numbers with E011003 naming the type; warns once about an open country list', async () => {
    const { projectId } = await stack.createProject('Open');
    const premium = await stack.post('/v1/auth/otp/signup-in/sms', { loginId: '+44 909 879 0123' }, projectId);
    assertRefused(premium, 400, 'E011003', 'UK 09 number');
    assert.match(premium.body.errorMessage, /premium-rate/);
    const shared = await stack.post('/v1/auth/otp/signup-in/voice', { loginId: '+33810123456' }, projectId);
    assertRefused(shared, 400, 'E011003', 'French 0810 number');
    assert.match(shared.body.errorMessage, /shared-cost/);
    const signup = await stack.post('/v1/auth/otp/signup/whatsapp', { loginId: 'eve', user: { phone: '+449098790123' } }, projectId);
    assertRefused(signup, 400, 'E011003', 'premium number as user.phone');

    for (const phone of ['+34612300002', '+34612300003']) {
      const ok = await phoneSignIn(stack, twilio, projectId, 'sms', 'signup-in', phone);
      assert.equal(ok.verified.status, 200, ok.verified.text);
    }
    await sleep(300);
    assert.equal(twilio.delivered('+449098790123').length + twilio.delivered('+33810123456').length, 0, 'nothing sent to premium numbers');
    const warnings = stack.logs().split('\n').filter((line) => line.includes('allowedCountries') && line.includes(projectId));
    assert.equal(warnings.length, 1, `one warning per project and process: ${warnings.join('\n')}`);
  });

  it('limits distinct numbers per prefix across recipients with E130429 and Retry-After; other prefixes and known numbers still go', async () => {
    const { projectId } = await stack.createProject('Prefix', { prefixRecipientLimit: 3, prefixWindowSeconds: 60 });
    const burst = ['+34622100001', '+34622100002', '+34622100003'];
    for (const [i, phone] of burst.entries()) {
      const response = await stack.post(`/v1/auth/otp/signup-in/${CHANNELS[i]!}`, { loginId: phone }, projectId);
      assert.equal(response.status, 200, response.text);
    }
    const refused = await stack.post('/v1/auth/otp/signup-in/sms', { loginId: '+34622100004' }, projectId);
    assertRefused(refused, 429, 'E130429', 'fourth number of the prefix');
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.match(refused.body.errorMessage, /\+3462210\b/, 'names the prefix');

    const otherPrefix = await stack.post('/v1/auth/otp/signup-in/sms', { loginId: '+34622200001' }, projectId);
    assert.equal(otherPrefix.status, 200, otherPrefix.text);
    const known = await stack.post('/v1/auth/otp/signup-in/sms', { loginId: burst[0] }, projectId);
    assert.equal(known.status, 200, `a number already counted may get another code: ${known.text}`);
    // Another project keeps its own count.
    const other = (await stack.createProject('Prefix elsewhere', { prefixRecipientLimit: 3, prefixWindowSeconds: 60 })).projectId;
    const elsewhere = await stack.post('/v1/auth/otp/signup-in/sms', { loginId: '+34622100004' }, other);
    assert.equal(elsewhere.status, 200, elsewhere.text);
    await sleep(300);
    assert.equal(twilio.delivered('+34622100004').length, 1, 'only the other project sent to the refused number');
  });
});
