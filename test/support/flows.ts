import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { codeIn, type FakeTwilio } from './fake-twilio.js';
import type { SmtpSink } from './smtp-sink.js';
import type { Stack } from './stack.js';

/** Verifies a JWT against the server's published JWKS with an independent library (jose). */
export async function verifyWithJwks(stack: Stack, projectId: string, token: string): Promise<JWTPayload> {
  const jwks = await stack.request('GET', `/v2/keys/${projectId}`);
  if (jwks.status !== 200) throw new Error(`JWKS answered ${jwks.status}: ${jwks.text}`);
  const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks.body), { issuer: projectId, algorithms: ['RS256'] });
  if (!protectedHeader.kid) throw new Error('JWT header has no kid');
  return payload;
}

/** Sends a code over email with `route` (signup, signin or signup-in), reads it from the sink and verifies it. */
export async function emailSignIn(
  stack: Stack,
  sink: SmtpSink,
  projectId: string,
  route: 'signup' | 'signin' | 'signup-in',
  loginId: string,
  body: Record<string, unknown> = {},
) {
  const before = sink.to(loginId).length;
  const sent = await stack.post(`/v1/auth/otp/${route}/email`, { loginId, ...body }, projectId);
  if (sent.status !== 200) throw new Error(`${route} answered ${sent.status}: ${sent.text}`);
  const code = await sink.codeFor(loginId, before + 1);
  const verified = await stack.post('/v1/auth/otp/verify/email', { loginId, code }, projectId);
  return { sent, code, verified };
}

export const TWILIO_SID = `AC${'0123456789abcdef'.repeat(2)}`;
export const TWILIO_TOKEN = 'e2e-twilio-auth-token';
export const TWILIO_FROM = '+15005550006';
export const TWILIO_WHATSAPP_FROM = '+14155238886';

/** Environment that sends every phone channel through Twilio at `apiBaseUrl`. */
export function twilioEnv(apiBaseUrl: string): Record<string, string> {
  return {
    SMS_PROVIDER: 'twilio',
    VOICE_PROVIDER: 'twilio',
    WHATSAPP_PROVIDER: 'twilio',
    TWILIO_ACCOUNT_SID: TWILIO_SID,
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    TWILIO_FROM,
    TWILIO_WHATSAPP_FROM,
    TWILIO_API_BASE_URL: apiBaseUrl,
  };
}

/** Sends a code over a phone channel with `route`, reads it from the fake Twilio and verifies it. */
export async function phoneSignIn(
  stack: Stack,
  twilio: FakeTwilio,
  projectId: string,
  channel: 'sms' | 'voice' | 'whatsapp',
  route: 'signup' | 'signin' | 'signup-in',
  loginId: string,
  body: Record<string, unknown> = {},
  phone = loginId,
) {
  const before = twilio.delivered(phone).length;
  const sent = await stack.post(`/v1/auth/otp/${route}/${channel}`, { loginId, ...body }, projectId);
  if (sent.status !== 200) throw new Error(`${route}/${channel} answered ${sent.status}: ${sent.text}`);
  const request = await twilio.waitForDelivered(phone, before + 1);
  const code = codeIn(request);
  const verified = await stack.post(`/v1/auth/otp/verify/${channel}`, { loginId, code }, projectId);
  return { sent, request, code, verified };
}
