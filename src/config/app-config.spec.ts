import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppConfig, ConfigError } from './app-config.js';

const SECRET = 'x'.repeat(40);
const problems = (env: Record<string, string>): string[] => {
  try {
    AppConfig.fromEnvironment(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe('AppConfig phone providers', () => {
  it('defaults every phone channel to console outside production and switches them off in production', () => {
    assert.deepEqual(AppConfig.fromEnvironment({}).phoneProviders, { sms: 'console', voice: 'console', whatsapp: 'console' });
    const production = AppConfig.fromEnvironment({ NODE_ENV: 'production', OTP_SECRET: SECRET, SMTP_URL: 'smtp://mail:25' });
    assert.deepEqual(production.phoneProviders, { sms: 'none', voice: 'none', whatsapp: 'none' });
  });

  it('refuses the console provider in production, like EMAIL_PROVIDER', () => {
    const found = problems({ NODE_ENV: 'production', OTP_SECRET: SECRET, SMTP_URL: 'smtp://mail:25', VOICE_PROVIDER: 'console' });
    assert.ok(found.some((p) => /^VOICE_PROVIDER=console: refused/.test(p)), found.join('\n'));
  });

  it('asks for the Twilio and webhook settings the chosen providers need', () => {
    const found = problems({ SMS_PROVIDER: 'twilio', WHATSAPP_PROVIDER: 'twilio', VOICE_PROVIDER: 'webhook' });
    for (const name of ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM', 'TWILIO_WHATSAPP_FROM', 'DELIVERY_WEBHOOK_URL', 'DELIVERY_WEBHOOK_SECRET']) {
      assert.ok(found.some((p) => p.startsWith(`${name}:`)), `${name} in ${found.join('\n')}`);
    }
    const badSecret = problems({ VOICE_PROVIDER: 'webhook', DELIVERY_WEBHOOK_URL: 'http://127.0.0.1/x', DELIVERY_WEBHOOK_SECRET: 'plain' });
    assert.ok(badSecret.some((p) => p.startsWith('DELIVERY_WEBHOOK_SECRET=<hidden>')), badSecret.join('\n'));
  });

  it('builds the Twilio settings with the public API as default base URL', () => {
    const config = AppConfig.fromEnvironment({
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'token',
      TWILIO_FROM: '+15005550006',
    });
    assert.equal(config.twilio?.apiBaseUrl, 'https://api.twilio.com');
    assert.equal(config.phoneProviders.voice, 'console');
    assert.equal(config.deliveryWebhook, undefined);
  });
});
