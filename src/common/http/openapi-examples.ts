import type { OpenAPIObject } from '@nestjs/swagger';
import { CHANNELS, isPhoneChannel, PHONE_CHANNELS, type PhoneChannel } from '../../channels/channels.js';

const EMAIL = 'ada@example.com';
/** One number per phone channel, so that each channel's sign-up example works after another's. */
const PHONES: Record<PhoneChannel, string> = { sms: '+14155550100', voice: '+14155550102', whatsapp: '+14155550103' };
/** A user of the management examples, apart from the OTP examples' Ada. */
const MGMT_USER = 'grace@example.com';
const TEST_USER = 'test-grace@example.com';

/**
 * The body Swagger UI's "Try it out" starts from, per route. Without one, Swagger UI builds a body
 * from the schema with every optional field filled in ("string", `true`), which the server then
 * refuses (stepup without a session, a tenant "string"). Each example works as sent, in the order a
 * visitor meets them: sign up Ada by e-mail, sign in, verify (with the code she received), then the
 * session routes with her refresh JWT; the management routes create, change and remove Grace.
 */
export function requestExamples(): Record<string, unknown> {
  const examples: Record<string, unknown> = {};
  for (const channel of CHANNELS) {
    const loginId = isPhoneChannel(channel) ? PHONES[channel] : EMAIL;
    examples[`/v1/auth/otp/signup/${channel}`] = { loginId, user: { name: 'Ada Lovelace' } };
    examples[`/v1/auth/otp/signin/${channel}`] = { loginId };
    examples[`/v1/auth/otp/signup-in/${channel}`] = { loginId };
    examples[`/v1/auth/otp/verify/${channel}`] = { loginId, code: '123456' };
  }
  examples['/v1/auth/otp/update/email'] = { loginId: EMAIL, email: 'ada.lovelace@example.com' };
  for (const channel of PHONE_CHANNELS) examples[`/v1/auth/otp/update/phone/${channel}`] = { loginId: EMAIL, phone: '+14155550101' };
  examples['/v1/mgmt/user/create'] = { loginId: MGMT_USER, email: MGMT_USER, displayName: 'Grace Hopper' };
  examples['/v1/mgmt/user/create/test'] = { loginId: TEST_USER, email: TEST_USER };
  examples['/v2/mgmt/user/search'] = { limit: 100 };
  examples['/v1/mgmt/user/update'] = { loginId: MGMT_USER, email: MGMT_USER, displayName: 'Grace Brewster Hopper' };
  examples['/v1/mgmt/user/patch'] = { loginId: MGMT_USER, givenName: 'Grace' };
  examples['/v1/mgmt/user/update/status'] = { loginId: MGMT_USER, status: 'enabled' };
  examples['/v1/mgmt/user/logout'] = { loginId: MGMT_USER };
  examples['/v1/mgmt/user/delete'] = { loginId: MGMT_USER };
  examples['/v1/mgmt/tests/generate/otp'] = { deliveryMethod: 'email', loginId: TEST_USER };
  return examples;
}

/** Puts each route's example on its JSON request body. */
export function addRequestExamples(document: OpenAPIObject): OpenAPIObject {
  const examples = requestExamples();
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const operation of Object.values(operations)) {
      const body = (operation as { requestBody?: { content?: Record<string, { example?: unknown }> } }).requestBody?.content?.['application/json'];
      if (body && path in examples) body.example = examples[path];
    }
  }
  return document;
}
