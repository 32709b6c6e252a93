import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, type KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';

/** Purposes of the keys derived from OTP_SECRET; each purpose gets an independent key. */
export type KeyPurpose = 'otp-hash' | 'job-seal' | 'signing-key-seal' | 'key-check';

/**
 * Everything keyed by the server secret: the OTP hash, and the sealing (AES-256-GCM) of job data
 * and private signing keys. Keys are derived with HKDF so that one leaked purpose key reveals nothing
 * about the others.
 */
@Injectable()
export class SecretsService {
  /**
   * Key objects made once: Node 24 turns a raw key into a key object on every createHmac and
   * createCipheriv, which made an HMAC 5 to 8 times and a seal about twice as costly as with one.
   */
  private readonly keys = new Map<KeyPurpose, KeyObject>();

  constructor(config: AppConfig) {
    for (const purpose of ['otp-hash', 'job-seal', 'signing-key-seal', 'key-check'] as const) {
      this.keys.set(purpose, createSecretKey(Buffer.from(hkdfSync('sha256', config.otpSecret, 'open-otp-server', purpose, 32))));
    }
  }

  /** HMAC-SHA256 of the parts, joined unambiguously; hex. */
  hmac(purpose: KeyPurpose, ...parts: string[]): string {
    const mac = createHmac('sha256', this.key(purpose));
    for (const part of parts) {
      const bytes = Buffer.from(part, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      mac.update(length).update(bytes);
    }
    return mac.digest('hex');
  }

  /**
   * A value that identifies the secret without revealing it: equal in two processes exactly when
   * their OTP_SECRETs are equal. Stored in Redis by the first process, compared by every later one.
   */
  keyCheckValue(): string {
    return this.hmac('key-check', 'open-otp-server key check v1');
  }

  /** Constant-time comparison of two hex digests. */
  static equalDigests(a: string, b: string): boolean {
    const x = Buffer.from(a, 'hex');
    const y = Buffer.from(b, 'hex');
    return x.length === y.length && timingSafeEqual(x, y);
  }

  /** AES-256-GCM; the result is `v1.<iv>.<tag>.<ciphertext>` in base64url, bound to `context`. */
  seal(purpose: KeyPurpose, plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key(purpose), iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), data].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  open(purpose: KeyPurpose, sealed: string, context: string): string {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('Unrecognised sealed value');
    const decipher = createDecipheriv('aes-256-gcm', this.key(purpose), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }

  private key(purpose: KeyPurpose): KeyObject {
    return this.keys.get(purpose)!;
  }
}
