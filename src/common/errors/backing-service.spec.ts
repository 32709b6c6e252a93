import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBackingServiceFailure } from './backing-service.js';

describe('isBackingServiceFailure', () => {
  it('recognises Redis and database outages, also wrapped', () => {
    const maxRetries = Object.assign(new Error('Reached the max retries per request limit (which is 1).'), { name: 'MaxRetriesPerRequestError' });
    assert.ok(isBackingServiceFailure(maxRetries));
    assert.ok(isBackingServiceFailure(new Error('Connection is closed.')));
    assert.ok(isBackingServiceFailure(new Error('Client was closed and is not queryable')));
    assert.ok(isBackingServiceFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })));
    assert.ok(isBackingServiceFailure({ message: 'query failed', driverError: { code: '57P01' } }));
    assert.ok(isBackingServiceFailure(new Error('wrapped', { cause: { code: 'SQLITE_CANTOPEN' } })));
  });

  it('leaves programming errors and constraint violations alone', () => {
    assert.equal(isBackingServiceFailure(new TypeError('x is undefined')), false);
    assert.equal(isBackingServiceFailure({ message: 'duplicate key', driverError: { code: '23505' } }), false);
    assert.equal(isBackingServiceFailure(null), false);
  });
});
