import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findControlCharacter, jsonTooDeep } from './input-guard.js';

describe('input guard', () => {
  it('measures JSON depth from the text, ignoring brackets inside strings', () => {
    const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    assert.equal(jsonTooDeep(nested(32)), false);
    assert.equal(jsonTooDeep(nested(33)), true);
    assert.equal(jsonTooDeep(`{"a":"${'{'.repeat(100)}\\"${'['.repeat(100)}"}`), false);
    assert.equal(jsonTooDeep(`${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`), true);
  });

  it('names the field holding a control character, keys included', () => {
    assert.equal(findControlCharacter({ loginId: 'ok', user: { name: 'A\u0000' } }), 'user.name');
    assert.equal(findControlCharacter({ list: ['a', 'b\u007f'] }), 'list[1]');
    assert.equal(findControlCharacter({ o: { ['k\n']: 1 } }), 'o');
    assert.equal(findControlCharacter({ text: 'Zoë — naïve ✓' }), null);
    assert.equal(findControlCharacter(undefined), null);
  });
});
