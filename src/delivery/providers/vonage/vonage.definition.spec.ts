import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { vonageSettings } from './vonage.definition.js';

describe('Vonage settings', () => {
  it('reads the key, the secret, the sender and the base URL, defaulting to rest.nexmo.com', () => {
    const env = { VONAGE_API_KEY: 'abcd1234', VONAGE_API_SECRET: 's3cret', VONAGE_FROM: 'Acme' };
    assert.deepEqual(vonageSettings(env).settings, { apiKey: 'abcd1234', apiSecret: 's3cret', from: 'Acme', apiBaseUrl: 'https://rest.nexmo.com' });
    assert.equal(vonageSettings({ ...env, VONAGE_API_BASE_URL: 'http://127.0.0.1:9/' }).settings?.apiBaseUrl, 'http://127.0.0.1:9');
  });

  it('names every missing or malformed variable and never quotes the secret', () => {
    const { problems } = vonageSettings({ VONAGE_API_SECRET: 'do-not-print', VONAGE_FROM: '+0123', VONAGE_API_BASE_URL: 'ftp://x' });
    assert.deepEqual(
      problems?.map((p) => p.slice(0, p.indexOf(':'))),
      ['VONAGE_API_KEY', 'VONAGE_FROM="+0123"', 'VONAGE_API_BASE_URL="ftp'],
    );
    assert.ok(!problems!.join('\n').includes('do-not-print'));
    assert.match(vonageSettings({ VONAGE_API_KEY: 'k', VONAGE_FROM: 'Acme' }).problems![0]!, /^VONAGE_API_SECRET: required/);
  });
});
