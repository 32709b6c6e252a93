import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayOption, templateOptionsProblem } from './template-options.js';

describe('template options', () => {
  it('accepts a few short single-line strings', () => {
    assert.equal(templateOptionsProblem({ name: 'Ada Lovelace', appName: 'Acme' }), null);
  });

  it('refuses long, multi-line, invisible-character, non-string and too many values', () => {
    assert.match(templateOptionsProblem({ name: 'x'.repeat(101) })!, /100 characters/);
    assert.match(templateOptionsProblem({ name: 'a\nb' })!, /one line/);
    assert.match(templateOptionsProblem({ name: 'a\u2028b' })!, /one line/);
    assert.match(templateOptionsProblem({ name: 'a\u202eb' })!, /one line/);
    assert.match(templateOptionsProblem({ name: 3 })!, /string/);
    assert.match(templateOptionsProblem(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])))!, /20 keys/);
    assert.match(templateOptionsProblem({ 'bad key': 'v' })!, /keys/);
  });

  it('breaks every link-like sequence with zero-width spaces and strips controls', () => {
    const shown = displayOption('see https://evil.example/reset or www.evil.example, a@b.co\u0007');
    assert.doesNotMatch(shown, /:\/\/|www\.[a-z]|[a-z]\.[a-z]|@[a-z]/);
    assert.ok(!shown.includes('\u0007'));
    assert.equal(shown.replace(/\u200b/g, ''), 'see https://evil.example/reset or www.evil.example, a@b.co ');
  });
});
