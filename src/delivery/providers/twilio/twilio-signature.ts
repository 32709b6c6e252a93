import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Twilio's request signature (https://www.twilio.com/docs/usage/security#validating-requests):
 * base64 HMAC-SHA1, keyed with the auth token, of the full URL followed by every POST parameter
 * sorted by name, each as name then value. Written out because the `twilio` SDK is a heavy
 * CommonJS install for one function.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((text, name) => text + name + params[name], url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export function isValidTwilioSignature(authToken: string, url: string, params: Record<string, string>, signature: string | undefined): boolean {
  if (!signature) return false;
  const expected = Buffer.from(twilioSignature(authToken, url, params));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
