import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
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
