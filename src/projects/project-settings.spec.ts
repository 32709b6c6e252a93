import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applySettings, nextFallbackChannel, parseFallbackChains, ProjectSettings } from './project-settings.js';

describe('applySettings', () => {
  it('coerces and validates values', () => {
    const { settings, problems } = applySettings(new ProjectSettings(), { otpLength: '8' });
    assert.deepEqual(problems, []);
    assert.equal(settings!.otpLength, 8);
  });

  it('names unknown keys and out-of-range values', () => {
    const { settings, problems } = applySettings(new ProjectSettings(), { otpLength: '11', colour: 'blue' });
    assert.equal(settings, undefined);
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /unknown setting "colour"/);
    assert.match(problems[1]!, /^otpLength=11/);
  });

  it('has a 10-second refresh grace window by default, bounded to 0..300, and allows second-long sessions', () => {
    assert.equal(new ProjectSettings().refreshGraceSeconds, 10);
    assert.deepEqual(applySettings(new ProjectSettings(), { refreshGraceSeconds: '0', sessionTtlSeconds: '1' }).problems, []);
    const { problems } = applySettings(new ProjectSettings(), { refreshGraceSeconds: '301', sessionTtlSeconds: '0' });
    assert.equal(problems.length, 2);
  });

  it('takes a bare domain as cookieDomain, or nothing', () => {
    assert.equal(new ProjectSettings().cookieDomain, '');
    assert.deepEqual(applySettings(new ProjectSettings(), { cookieDomain: 'example.com' }).problems, []);
    for (const bad of ['https://example.com', 'example.com/', 'example.com:443', '.example.com']) {
      const { problems } = applySettings(new ProjectSettings(), { cookieDomain: bad });
      assert.equal(problems.length, 1, bad);
      assert.match(problems[0]!, /cookieDomain must be a domain name/);
    }
  });
});

describe('wrong-attempt budgets', () => {
  it('by default one IP cannot spend the login ID budget, and 24 h of guessing from any number of IPs hits a code with under 0.1 % chance', () => {
    const s = new ProjectSettings();
    assert.ok(s.loginIdIpWrongAttemptLimit < s.loginIdWrongAttemptLimit);
    // A rolling window admits at most `limit` wrong codes in any span of its length; each guess
    // hits a uniformly drawn code with probability 10^-length.
    const guessesPerDay = Math.ceil(86400 / s.loginIdAttemptWindowSeconds) * s.loginIdWrongAttemptLimit;
    assert.equal(guessesPerDay, 960);
    assert.ok(guessesPerDay / 10 ** s.otpLength < 0.001);
  });
});

describe('deliveryFallback', () => {
  it('parses chains and answers the next channel and the earlier ones', () => {
    const setting = 'whatsapp>sms>voice';
    assert.deepEqual(parseFallbackChains(''), []);
    assert.deepEqual(parseFallbackChains(' whatsapp > sms , voice>x'), null);
    assert.equal(nextFallbackChannel(setting, 'whatsapp'), 'sms');
    assert.equal(nextFallbackChannel(setting, 'sms'), 'voice');
    assert.equal(nextFallbackChannel(setting, 'voice'), undefined);
    assert.equal(nextFallbackChannel('', 'whatsapp'), undefined);
    assert.equal(nextFallbackChannel('whatsapp>sms', 'email'), undefined);
    assert.equal(nextFallbackChannel('whatsapp>voice,sms>voice', 'sms'), undefined);
    assert.equal(nextFallbackChannel(' voice > sms ', 'voice'), 'sms');
  });

  it('accepts well-formed chains and rejects unknown channels, repeats and single steps', () => {
    assert.deepEqual(applySettings(new ProjectSettings(), { deliveryFallback: 'whatsapp>sms' }).problems, []);
    assert.deepEqual(applySettings(new ProjectSettings(), { deliveryFallback: 'whatsapp>voice,sms' }).problems.length, 1);
    for (const bad of ['whatsapp>email', 'sms>sms', 'whatsapp>sms,sms>voice', 'sms', 'sms>', 'whatsapp>sms>whatsapp']) {
      const { problems } = applySettings(new ProjectSettings(), { deliveryFallback: bad });
      assert.equal(problems.length, 1, bad);
      assert.match(problems[0]!, /deliveryFallback must be chains like whatsapp>sms>voice/);
    }
  });
});
