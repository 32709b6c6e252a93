import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotFoundException } from '@nestjs/common';
import { DomainError } from '../errors/domain-error.js';
import { mapError } from './error-body.js';

describe('mapError', () => {
  it('maps domain errors to their status and code', () => {
    const mapped = mapError(new DomainError('RATE_LIMITED', 'slow down', 30));
    assert.equal(mapped.status, 429);
    assert.equal(mapped.retryAfter, 30);
    assert.deepEqual(mapped.body, { errorCode: 'E130429', errorDescription: 'Rate limit exceeded', errorMessage: 'slow down' });
  });

  it('maps Fastify body errors to E011001 and 413', () => {
    assert.equal(mapError(Object.assign(new Error('bad'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 })).body.errorCode, 'E011001');
    assert.equal(mapError(Object.assign(new Error('big'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 })).status, 413);
  });

  it('maps framework 404s and hides unknown errors behind a 500 without details', () => {
    assert.equal(mapError(new NotFoundException()).status, 404);
    const unknown = mapError(new Error('database password is hunter2'));
    assert.equal(unknown.status, 500);
    assert.ok(unknown.unexpected);
    assert.doesNotMatch(JSON.stringify(unknown.body), /hunter2/);
  });
});
