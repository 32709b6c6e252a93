import assert from 'node:assert/strict';
import { createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { AppConfig } from '../../config/app-config.js';
import { newId, numericCode, randomToken } from './random.js';
import { SecretsService } from './secrets.service.js';

const secrets = (secret = 'a'.repeat(40)) => new SecretsService(AppConfig.fromEnvironment({ OTP_SECRET: secret }));

describe('SecretsService', () => {
  it('seals and opens, bound to its context', () => {
    const s = secrets();
    const sealed = s.seal('job-seal', '{"code":"123456"}', 'ctx-1');
    assert.doesNotMatch(sealed, /123456/);
    assert.equal(s.open('job-seal', sealed, 'ctx-1'), '{"code":"123456"}');
    assert.throws(() => s.open('job-seal', sealed, 'ctx-2'));
    assert.throws(() => s.open('signing-key-seal', sealed, 'ctx-1'), 'another purpose has another key');
    assert.throws(() => secrets('b'.repeat(40)).open('job-seal', sealed, 'ctx-1'), 'another secret cannot open it');
  });

  it('makes HMACs that depend on every part and on the secret, and compares them', () => {
    const s = secrets();
    const h = s.hmac('otp-hash', 'P1', 'ada', '123456');
    assert.equal(h, s.hmac('otp-hash', 'P1', 'ada', '123456'));
    assert.notEqual(h, s.hmac('otp-hash', 'P1', 'ada', '123457'));
    assert.notEqual(h, s.hmac('otp-hash', 'P1a', 'da', '123456'), 'parts are length-prefixed');
    assert.notEqual(h, secrets('c'.repeat(40)).hmac('otp-hash', 'P1', 'ada', '123456'));
    assert.ok(SecretsService.equalDigests(h, h));
    assert.ok(!SecretsService.equalDigests(h, s.hmac('otp-hash', 'x')));
  });

  it('costs about what a bare HMAC with a prepared key costs (no key object made per call)', () => {
    const s = secrets();
    const key = createSecretKey(randomBytes(32));
    const bare = () => createHmac('sha256', key).update('P1').update('ada').update('123456').digest('hex');
    const ours = () => s.hmac('otp-hash', 'P1', 'ada', '123456');
    // Interleaved rounds, best of each, so that a busy machine hits both alike. Node 24 with a raw
    // key: 5 to 8 times the bare cost; with a key object, the length prefixes add well under 2×.
    const best = { bare: Infinity, ours: Infinity };
    for (let round = 0; round < 7; round++) {
      for (const [name, run] of [['bare', bare], ['ours', ours]] as const) {
        const started = process.hrtime.bigint();
        for (let i = 0; i < 5000; i++) run();
        best[name] = Math.min(best[name], Number(process.hrtime.bigint() - started));
      }
    }
    assert.ok(best.ours < 3 * best.bare, `hmac ${(best.ours / best.bare).toFixed(1)}× a bare HMAC`);
  });
});

describe('random', () => {
  it('draws codes of the asked length with every digit in use', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const code = numericCode(6);
      assert.match(code, /^\d{6}$/);
      for (const d of code) seen.add(d);
    }
    assert.equal(seen.size, 10);
  });

  it('makes Descope-shaped IDs', () => {
    assert.match(newId('P'), /^P[A-Za-z0-9]{27}$/);
    assert.equal(randomToken(40).length, 40);
  });
});
