import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidTwilioSignature, twilioSignature } from './twilio-signature.js';

// Twilio's published example (its security docs and every official SDK's RequestValidator test).
const TOKEN = '12345';
const URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
const SIGNATURE = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';

describe('Twilio request signature', () => {
  it("reproduces Twilio's published example, whatever the parameter order", () => {
    assert.equal(twilioSignature(TOKEN, URL, PARAMS), SIGNATURE);
    const reversed = Object.fromEntries(Object.entries(PARAMS).reverse());
    assert.equal(twilioSignature(TOKEN, URL, reversed), SIGNATURE);
    assert.equal(isValidTwilioSignature(TOKEN, URL, PARAMS, SIGNATURE), true);
  });

  it('refuses a change to the token, the URL, a parameter, or a missing or forged signature', () => {
    assert.equal(isValidTwilioSignature('54321', URL, PARAMS, SIGNATURE), false);
    assert.equal(isValidTwilioSignature(TOKEN, `${URL}&baz=3`, PARAMS, SIGNATURE), false);
    assert.equal(isValidTwilioSignature(TOKEN, URL, { ...PARAMS, Digits: '9999' }, SIGNATURE), false);
    assert.equal(isValidTwilioSignature(TOKEN, URL, { ...PARAMS, Extra: '' }, SIGNATURE), false);
    assert.equal(isValidTwilioSignature(TOKEN, URL, PARAMS, undefined), false);
    assert.equal(isValidTwilioSignature(TOKEN, URL, PARAMS, 'RSOYDt4T1cUTdK1PDd93/VVr8B8'), false);
  });
});
