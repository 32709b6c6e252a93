import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findForbiddenCharacter, jsonTooDeep } from './input-guard.js';

describe('input guard', () => {
  it('measures JSON depth from the text, ignoring brackets inside strings', () => {
    const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    assert.equal(jsonTooDeep(nested(32)), false);
    assert.equal(jsonTooDeep(nested(33)), true);
    assert.equal(jsonTooDeep(`{"a":"${'{'.repeat(100)}\\"${'['.repeat(100)}"}`), false);
    assert.equal(jsonTooDeep(`${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`), true);
  });

  it('names the field holding a control character, keys included', () => {
    assert.equal(findForbiddenCharacter({ loginId: 'ok', user: { name: 'A\u0000' } }), 'user.name');
    assert.equal(findForbiddenCharacter({ list: ['a', 'b\u007f'] }), 'list[1]');
    assert.equal(findForbiddenCharacter({ o: { ['k\n']: 1 } }), 'o');
    assert.equal(findForbiddenCharacter({ text: 'Zoë — naïve ✓' }), null);
    assert.equal(findForbiddenCharacter({ loginId: '\ud800' }), 'loginId', 'a lone high surrogate');
    assert.equal(findForbiddenCharacter({ user: { name: 'a\udfffb' } }), 'user.name', 'a lone low surrogate');
    assert.equal(findForbiddenCharacter({ name: 'emoji 😀 \ud83d\ude00' }), null, 'a pair is one character');
    assert.equal(findForbiddenCharacter(undefined), null);
  });
});
