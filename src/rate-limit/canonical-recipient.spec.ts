import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalRecipient } from './canonical-recipient.js';

describe('canonicalRecipient', () => {
  it('lower-cases and drops the +tag of any domain', () => {
    for (const variant of ['victim@example.com', 'victim+1@example.com', 'Victim+3@Example.com', ' VICTIM+a+b@example.com ']) {
      assert.equal(canonicalRecipient('email', variant), 'victim@example.com', variant);
    }
  });

  it('drops dots for gmail.com and googlemail.com only, and unifies the two domains', () => {
    assert.equal(canonicalRecipient('email', 'Jane.Doe+x@googlemail.com'), 'janedoe@gmail.com');
    assert.equal(canonicalRecipient('email', 'j.a.n.e.doe@gmail.com'), 'janedoe@gmail.com');
    assert.equal(canonicalRecipient('email', 'jane.doe@example.com'), 'jane.doe@example.com');
  });

  it('keeps a leading + (no local part left) and phone numbers as they are', () => {
    assert.equal(canonicalRecipient('email', '+tag@example.com'), '+tag@example.com');
    assert.equal(canonicalRecipient('sms', ' +14155550123 '), '+14155550123');
  });
});
