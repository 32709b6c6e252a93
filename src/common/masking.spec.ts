import assert from 'node:assert/strict';
import { it } from 'node:test';
import { maskEmail, maskPhone } from './masking.js';

it('masks addresses', () => {
  assert.equal(maskEmail('ada@example.com'), 'a***@example.com');
  assert.equal(maskEmail('broken'), '***');
  assert.equal(maskPhone('+14155550123'), '+*******0123');
});
