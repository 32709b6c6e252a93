import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scrubSecrets } from './logging.module.js';

describe('scrubSecrets', () => {
  it('removes JWTs, bearer values and management keys from any string, at any depth', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJVMSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const key = `K${'a'.repeat(47)}`;
    const scrubbed = JSON.stringify(
      scrubSecrets({ url: `/x?token=${jwt}`, nested: { list: [`Bearer P123:${key}`] }, error: new Error(`bad ${jwt}`) }),
    );
    assert.ok(!scrubbed.includes(jwt) && !scrubbed.includes(key) && !scrubbed.includes('P123'), scrubbed);
    assert.match(scrubbed, /\[redacted-jwt\]/);
  });

  it('keeps an Error an Error', () => {
    const error = scrubSecrets(new RangeError('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJVMSJ9.sig'));
    assert.ok(error instanceof RangeError);
    assert.equal((error as Error).message, '[redacted-jwt]');
  });
});
