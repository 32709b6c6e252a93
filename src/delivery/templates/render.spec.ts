import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHANNELS } from '../../otp/otp.types.js';
import { toTwiml } from '../providers/twilio/twilio.provider.js';
import { CATALOGS } from './locale.js';
import { renderAccountExists, renderCode, renderNotice } from './render.js';

const vars = { code: '482915', projectName: 'Acme & Co', expiresInSeconds: 300, purpose: 'signin' as const, options: { name: '<Ada>' } };

describe('templates', () => {
  for (const locale of Object.keys(CATALOGS)) {
    it(`${locale}: every channel carries the code, the project name and the expiry`, () => {
      for (const channel of CHANNELS) {
        const message = renderCode(channel, locale, vars);
        assert.equal(message.locale, locale);
        const code = channel === 'voice' ? '4, 8, 2, 9, 1, 5' : '482915';
        assert.ok(message.text.includes(code), `${channel}: ${message.text}`);
        assert.ok(message.text.includes('Acme & Co'), `${channel}: ${message.text}`);
        if (channel !== 'voice') assert.match(message.text, /\b5\b/, `${channel} states the expiry`);
      }
      const notice = renderNotice('sms', locale, { projectName: 'Acme', kind: 'phone', newAddress: '+*******0100', options: {} });
      assert.ok(notice.text.includes('+*******0100'));
      assert.doesNotMatch(notice.text.replace('+*******0100', ''), /\d/, 'no code in a notice');
      for (const channel of CHANNELS) {
        const exists = renderAccountExists(channel, locale, { projectName: 'Acme', options: {} });
        assert.equal(exists.locale, locale);
        assert.ok(exists.subject.includes('Acme') && exists.text.includes('Acme'), `${channel}: ${exists.text}`);
        assert.doesNotMatch(exists.text, /\d/, 'no code in an account-exists notice');
      }
    });
  }

  it('states a code that lives under a minute in seconds, in every language', () => {
    const expected: Record<string, RegExp> = { en: /expires in 10 seconds/, de: /in 10 Sekunden ab/, es: /Caduca en 10 segundos/, fr: /expire dans 10 secondes/ };
    for (const [locale, pattern] of Object.entries(expected)) {
      for (const channel of ['email', 'sms', 'whatsapp'] as const) {
        assert.match(renderCode(channel, locale, { ...vars, expiresInSeconds: 10 }).text, pattern, `${locale} ${channel}`);
      }
    }
    assert.match(renderCode('sms', 'en', { ...vars, expiresInSeconds: 60 }).text, /expires in 1 minute\./);
    assert.match(renderCode('sms', 'en', { ...vars, expiresInSeconds: 600 }).text, /expires in 10 minutes\./);
  });

  it('never writes "a" before a project name that may start with a vowel', () => {
    assert.equal(renderAccountExists('email', 'en', { projectName: 'Acme', options: {} }).subject, 'You already have an account with Acme');
  });

  it('escapes template options and the project name in HTML and TwiML', () => {
    const email = renderCode('email', 'en', vars);
    assert.match(email.html!, /Hi &lt;Ada&gt;,/);
    assert.match(email.html!, /Acme &amp; Co/);
    const voice = renderCode('voice', 'en', vars);
    const twiml = toTwiml(voice.voice!.language, voice.voice!.segments);
    assert.match(twiml, /This is Acme &amp; Co\./);
    assert.equal((twiml.match(/<Say language="en-US">4<\/Say><Pause length="1"\/>/g) ?? []).length, 2);
  });

  it('adds the WebOTP line to SMS only', () => {
    assert.ok(renderCode('sms', 'en', vars, 'app.example.com').text.endsWith('\n\n@app.example.com #482915'));
    assert.doesNotMatch(renderCode('whatsapp', 'en', vars, 'app.example.com').text, /@app/);
  });
});
