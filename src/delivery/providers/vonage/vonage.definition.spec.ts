import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppConfig, ConfigError } from '../../../config/app-config.js';
import { PROVIDERS } from '../providers.js';
import { vonageSettings } from './vonage.definition.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    AppConfig.fromEnvironment({ SMS_PROVIDER: 'vonage', ...env }, 'server', PROVIDERS);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('Vonage settings', () => {
  it('reads the key, the secret, the sender and the base URL, defaulting to rest.nexmo.com', () => {
    const env = { VONAGE_API_KEY: 'abcd1234', VONAGE_API_SECRET: 's3cret', VONAGE_FROM: 'Acme' };
    assert.deepEqual(problemsOf(env), []);
    const config = AppConfig.fromEnvironment({ SMS_PROVIDER: 'vonage', ...env }, 'server', PROVIDERS);
    assert.deepEqual(config.providerSettings.vonage, { apiKey: 'abcd1234', apiSecret: 's3cret', from: 'Acme', apiBaseUrl: 'https://rest.nexmo.com' });
    const local = AppConfig.fromEnvironment({ SMS_PROVIDER: 'vonage', ...env, VONAGE_API_BASE_URL: 'http://127.0.0.1:9/' }, 'server', PROVIDERS);
    assert.equal((local.providerSettings.vonage as { apiBaseUrl: string }).apiBaseUrl, 'http://127.0.0.1:9');
  });

  it('names every missing or malformed variable and never quotes the secret', () => {
    const problems = problemsOf({ VONAGE_API_SECRET: 'do-not-print', VONAGE_FROM: '+0123', VONAGE_API_BASE_URL: 'ftp://x' });
    assert.deepEqual(
      problems.map((p) => p.slice(0, p.indexOf(':'))),
      ['VONAGE_FROM="+0123"', 'VONAGE_API_BASE_URL="ftp', 'VONAGE_API_KEY'],
    );
    assert.ok(!problems.join('\n').includes('do-not-print'));
    assert.deepEqual(vonageSettings({ VONAGE_FROM: 'Acme' }).problems, ['VONAGE_API_KEY: required when SMS_PROVIDER=vonage', 'VONAGE_API_SECRET: required when SMS_PROVIDER=vonage']);
  });

  it('is refused for a channel it does not carry, and an unknown provider lists the known ones', () => {
    assert.match(problemsOf({ SMS_PROVIDER: 'console', VOICE_PROVIDER: 'vonage', VONAGE_API_KEY: 'k', VONAGE_API_SECRET: 's', VONAGE_FROM: 'Acme' })[0]!, /^VOICE_PROVIDER=vonage: vonage does not carry voice/);
    assert.match(problemsOf({ SMS_PROVIDER: 'nexmo' })[0]!, /^SMS_PROVIDER="nexmo": must be one of the following values: console, twilio, webhook, .*vonage/);
  });
});
