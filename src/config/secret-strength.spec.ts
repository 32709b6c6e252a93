import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { weakSecretReason } from './secret-strength.js';

describe('weakSecretReason (production OTP_SECRET rule)', () => {
  it('accepts what openssl rand prints, nearly always', () => {
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      if (weakSecretReason(randomBytes(48).toString('base64'))) refused++;
      if (weakSecretReason(randomBytes(32).toString('base64url'))) refused++;
      if (weakSecretReason(randomBytes(32).toString('hex'))) refused++;
    }
    assert.ok(refused <= 3, `${refused} of 6000 random secrets refused`);
  });

  it('refuses published, short, unencoded, repetitive and patterned secrets', () => {
    for (const secret of [
      'development-only-otp-secret-do-not-use-in-production',
      'e2e-test-secret-0123456789abcdef0123456789abcdef',
      'a'.repeat(48),
      'correct horse battery staple correct horse battery',
      randomBytes(16).toString('base64'),
      'abcdefghijklmnopqrstuvwxyz0123456789abcdefghijkl',
      'abababababababababababababababababababababababab',
      `${randomBytes(24).toString('base64')}zzzzzz`,
      '0'.repeat(64),
    ]) {
      assert.ok(weakSecretReason(secret), `accepted ${secret}`);
    }
  });
});
