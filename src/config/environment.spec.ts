import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AppConfig } from './app-config.js';
import { loadEnvironment } from './environment.js';

describe('loadEnvironment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otp-env-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads .env when present, the real environment winning over the file', () => {
    const file = join(dir, '.env');
    writeFileSync(file, '# a comment\nPORT=4000\nEMAIL_FROM="Acme <login@acme.com>"\nLOG_LEVEL=debug\n');
    const env = loadEnvironment({ LOG_LEVEL: 'warn' }, file);
    assert.equal(env.PORT, '4000');
    assert.equal(env.EMAIL_FROM, 'Acme <login@acme.com>');
    assert.equal(env.LOG_LEVEL, 'warn');
  });

  it('is the environment itself when there is no .env', () => {
    const env = { PORT: '5000' };
    assert.equal(loadEnvironment(env, join(dir, 'missing.env')), env);
  });

  it('accepts .env.example copied as .env as it is', () => {
    const example = join(import.meta.dirname, '../../../.env.example');
    const config = AppConfig.fromEnvironment(loadEnvironment({}, example));
    assert.equal(config.email.from, 'OTP Server <no-reply@localhost>');
    assert.equal(config.mayStartPrivateRedis, true, 'the quick start still gets its private Redis');
  });
});
