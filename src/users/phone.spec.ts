import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../common/errors/domain-error.js';
import { assertChannelReaches, loginIdFor, looksLikePhone, parsePhone } from './phone.js';

function invalid(fn: () => unknown, field: RegExp): void {
  assert.throws(fn, (error: unknown) => error instanceof DomainError && error.kind === 'INVALID_REQUEST' && field.test(error.message));
}

describe('parsePhone', () => {
  it('normalises any international formatting to E.164 and knows the number type', () => {
    assert.deepEqual(parsePhone(' +34 612-345-678 '), { e164: '+34612345678', type: 'MOBILE', country: 'ES' });
    assert.equal(parsePhone('+1 (415) 555-2671').e164, '+14155552671');
    assert.equal(parsePhone('+49 30 1234567').type, 'FIXED_LINE');
  });

  it('rejects numbers the numbering plan does not allow, naming the field', () => {
    invalid(() => parsePhone('+15550100', 'user.phone'), /^user\.phone /);
    invalid(() => parsePhone('612345678'), /^phone /);
    invalid(() => parsePhone('not a number', 'loginId'), /^loginId /);
  });
});

describe('assertChannelReaches', () => {
  const landline = parsePhone('+442079460958');
  it('refuses SMS and WhatsApp to a fixed line and suggests voice', () => {
    invalid(() => assertChannelReaches(landline, 'sms'), /fixed-line.*voice/);
    invalid(() => assertChannelReaches(landline, 'whatsapp'), /fixed-line.*voice/);
  });
  it('lets voice call a fixed line, and text mobiles and numbers of unknown kind', () => {
    assert.doesNotThrow(() => assertChannelReaches(landline, 'voice'));
    assert.doesNotThrow(() => assertChannelReaches(parsePhone('+33612345678'), 'sms'));
    assert.doesNotThrow(() => assertChannelReaches(parsePhone('+14155552671'), 'whatsapp'));
  });
});

describe('loginIdFor', () => {
  it('stores phone login IDs as E.164 and everything else trimmed and lower-cased', () => {
    assert.equal(loginIdFor('+34 612 345 678', 'sms'), '+34612345678');
    assert.equal(loginIdFor('+34 612 345 678', 'email'), '+34612345678');
    assert.equal(loginIdFor(' Ada@Example.com ', 'sms'), 'ada@example.com');
    assert.equal(loginIdFor('12345', 'email'), '12345', 'a numeric username is not a phone number on e-mail');
  });
  it('rejects a phone-shaped login ID that is not a valid number', () => {
    invalid(() => loginIdFor('612345678', 'sms'), /^loginId /);
    assert.equal(looksLikePhone('ada', 'sms'), false);
  });
});

describe('phone numbers written other ways', () => {
  it('reads full-width, Arabic-Indic and Persian digits as the one E.164 number they dial', () => {
    for (const variant of ['＋３４ ６１２ ３４５ ６７８', '+٣٤٦١٢٣٤٥٦٧٨', '+۳۴۶۱۲۳۴۵۶۷۸', '+３４６１２３４５６７８']) {
      assert.equal(loginIdFor(variant, 'sms'), '+34612345678', variant);
      assert.equal(loginIdFor(variant, 'email'), '+34612345678', variant);
      assert.equal(parsePhone(variant, 'user.phone').e164, '+34612345678', variant);
    }
  });
  it('refuses an extension, in any of the forms libphonenumber reads, naming the field', () => {
    for (const variant of ['+34612345678;ext=2', '+34 612 345 678 x 22', '+34612345678 ext. 3', '+34612345678#4', '+٣٤٦١٢٣٤٥٦٧٨ extension 5']) {
      invalid(() => loginIdFor(variant, 'sms'), /^loginId must be a phone number without an extension/);
      invalid(() => loginIdFor(variant, 'email'), /^loginId must be a phone number without an extension/);
      invalid(() => parsePhone(variant, 'user.phone'), /^user\.phone must be a phone number without an extension/);
    }
  });
  it('leaves usernames that merely contain an x and digits alone', () => {
    assert.equal(looksLikePhone('ada x 22', 'sms'), false);
    assert.equal(loginIdFor('Max22', 'sms'), 'max22');
  });
});
