import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { combine, flag, int, parseVariables, text } from './variable.js';
import { VARIABLES } from './variables.js';

describe('environment variable declarations', () => {
  it('marks the credentials secret, and never echoes a bad secret value', () => {
    const secrets = Object.entries(VARIABLES as Record<string, { secret?: boolean }>).filter(([, v]) => v.secret).map(([name]) => name);
    assert.deepEqual(secrets.sort(), ['ADMIN_PASSWORD', 'DELIVERY_WEBHOOK_SECRET', 'METRICS_TOKEN', 'OTP_SECRET', 'TWILIO_AUTH_TOKEN']);
    for (const name of ['ADMIN_PASSWORD', 'DELIVERY_WEBHOOK_SECRET', 'METRICS_TOKEN', 'OTP_SECRET']) {
      const { problems } = parseVariables(VARIABLES, { [name]: 'leaky-value' });
      assert.equal(problems.length, 1, name);
      assert.match(problems[0]!, new RegExp(`^${name}=<hidden>: ${name} must`));
      assert.ok(!problems[0]!.includes('leaky'), `${name} is echoed`);
    }
  });

  it('reads an empty value as unset, and words for booleans', () => {
    const { value } = parseVariables(VARIABLES, { PORT: '', RUN_WORKER: 'Yes', SMS_PROVIDER: '' });
    assert.equal(value?.PORT, 3000);
    assert.equal(value?.RUN_WORKER, true);
    assert.equal(value?.SMS_PROVIDER, undefined);
    assert.equal(parseVariables(VARIABLES, { RUN_WORKER: 'off' }).value?.RUN_WORKER, false);
  });

  it('says "must be an integer number" for any non-integer, and names the bound otherwise', () => {
    assert.deepEqual(parseVariables(VARIABLES, { SINK_DELAY_MS: 'abc', METRICS_PORT: '1.5', PORT: '-1', DELIVERY_ATTEMPTS: '51' }).problems, [
      'PORT=-1: PORT must not be less than 0',
      'SINK_DELAY_MS="abc": SINK_DELAY_MS must be an integer number',
      'DELIVERY_ATTEMPTS=51: DELIVERY_ATTEMPTS must not be greater than 50',
      'METRICS_PORT="1.5": METRICS_PORT must be an integer number',
    ]);
  });

  it("combines a module's own declarations with the others, refusing a name declared twice", () => {
    const own = { VENDOR_KEY: text({ group: 'Vendor', secret: true, description: 'key' }), VENDOR_RETRIES: int({ group: 'Vendor', min: 0, default: 2, description: 'retries' }) };
    const all = combine({ DEBUG_ON: flag({ group: 'Other', default: false, description: 'debug' }) }, own);
    assert.deepEqual(Object.keys(all), ['DEBUG_ON', 'VENDOR_KEY', 'VENDOR_RETRIES']);
    assert.equal(parseVariables(all, {}).value?.VENDOR_RETRIES, 2);
    assert.throws(() => combine(own, { VENDOR_KEY: text({ group: 'Again', description: 'again' }) }), /VENDOR_KEY is declared twice/);
  });
});
