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

  it('censors secret fields at every depth, in arrays and on errors, and keeps the rest', () => {
    const error = Object.assign(new Error('no route'), { code: '123456' });
    const scrubbed = scrubSecrets({
      code: '111111',
      msg: 'sent',
      job: { sealed: 'abc', data: { code: '222222', refreshJwt: 'r', to: 'a***@example.com' } },
      list: [{ token: 't' }, { authorization: 'Bearer x', cookie: 'c' }],
      error,
      none: { code: null },
    }) as Record<string, any>;
    assert.deepEqual(
      { ...scrubbed, error: undefined },
      {
        code: '[redacted]',
        msg: 'sent',
        job: { sealed: '[redacted]', data: { code: '[redacted]', refreshJwt: '[redacted]', to: 'a***@example.com' } },
        list: [{ token: '[redacted]' }, { authorization: '[redacted]', cookie: '[redacted]' }],
        error: undefined,
        none: { code: null },
      },
    );
    assert.ok(scrubbed.error instanceof Error);
    assert.equal((scrubbed.error as Error & { code: string }).code, '[redacted]');
    assert.equal((scrubbed.error as Error).message, 'no route');
  });

  it('keeps an Error an Error', () => {
    const error = scrubSecrets(new RangeError('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJVMSJ9.sig'));
    assert.ok(error instanceof RangeError);
    assert.equal((error as Error).message, '[redacted-jwt]');
  });
});
