import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Stack } from '../support/stack.js';

const ERROR_KEYS = ['errorCode', 'errorDescription', 'errorMessage'];

/** Strings an attacker likes: injections, traversal, control and odd Unicode, huge numbers, prototypes. */
const nasty = fc.constantFrom(
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  '{"$gt": ""}',
  '__proto__',
  'constructor',
  '../../etc/passwd',
  '%00',
  '\u0000',
  '\u202e\u200b\ufeff',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '\ud800',
  'a'.repeat(5000),
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '1e309',
  '-0',
  'NaN',
  'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
  'ada@example.com\r\nBcc: x@y.z',
);

const value = fc.oneof(
  { maxDepth: 3 },
  nasty,
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(nasty, fc.integer()), { maxLength: 5 }),
  fc.dictionary(fc.oneof(nasty, fc.string()), fc.oneof(nasty, fc.integer(), fc.constant(null)), { maxKeys: 5 }),
);

/** Bodies shaped like the real ones but with wrong types and values, plus arbitrary JSON and raw junk. */
const body = fc.oneof(
  fc.record(
    {
      loginId: value,
      code: value,
      user: fc.oneof(value, fc.record({ name: value, email: value, phone: value }, { requiredKeys: [] })),
      loginOptions: fc.oneof(value, fc.record({ templateOptions: value, customClaims: value, locale: value }, { requiredKeys: [] })),
      __proto__: value,
    },
    { requiredKeys: [] },
  ).map((b) => ({ raw: JSON.stringify(b) })),
  fc.jsonValue().map((v) => ({ raw: JSON.stringify(v) })),
  fc.string({ unit: 'binary', maxLength: 300 }).map((raw) => ({ raw })),
  fc.constantFrom('{', '{"loginId":', '[]', 'null', '""', '0', '{"a":1}{"b":2}', '\ufeff{}', '{"loginId":"a@b.co"'.padEnd(3000, ' ')).map((raw) => ({ raw })),
  fc.integer({ min: 60_000, max: 90_000 }).map((n) => ({ raw: JSON.stringify({ loginId: 'x'.repeat(n) }) })),
  fc.constant({ raw: undefined as string | undefined }),
);

const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 200 });

describe('bad input', () => {
  let stack: Stack;
  let projectId: string;
  let routes: { method: string; path: string }[];

  before(async () => {
    stack = await Stack.start({ workers: 0 });
    projectId = (await stack.createProject('Fuzz')).projectId;
    // Every route the API documents, so routes added later are fuzzed too.
    const spec = (await stack.request('GET', '/docs/json')).body as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })));
    routes.push({ method: 'POST', path: '/v1/auth/otp/verify/nosuch' }, { method: 'DELETE', path: '/v1/auth/otp/signin/email' });
    assert.ok(routes.length >= 6, JSON.stringify(routes));
  });
  after(async () => {
    await stack?.stop();
  });

  it('answers 5,000 malformed, oversized, mistyped and injection-shaped requests to every route without a 5xx', async () => {
    const statuses = new Map<number, number>();
    const bearer = fc.oneof(
      fc.constant(undefined),
      headerText.map((s) => `Bearer ${s}`),
      headerText,
      fc.constant(projectId).map((p) => `Bearer ${p}`),
      headerText.map((s) => `Bearer ${projectId}:${s}`),
      fc.constantFrom('Bearer ', 'Bearer  :', `Bearer ${projectId}:`, `bearer ${projectId.toLowerCase()}`, `Basic ${projectId}`, `Bearer ${'P'.repeat(5000)}`),
    );
    const contentType = fc.constantFrom(undefined, 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', '*/*', '');
    const segment = fc.oneof(nasty, headerText).map((s) => {
      try {
        return encodeURIComponent(s);
      } catch {
        return '%ED%A0%80%'; // a lone surrogate cannot be encoded: send a broken escape instead
      }
    });
    await fc.assert(
      fc.asyncProperty(fc.nat(), body, bearer, contentType, segment, fc.option(headerText), async (pick, { raw }, authorization, type, param, forwarded) => {
        const route = routes[pick % routes.length]!;
        const path = route.path.replace(/\{[^}]+\}/g, param);
        const headers: Record<string, string> = {};
        if (authorization !== undefined) headers.authorization = authorization;
        if (type !== undefined && raw !== undefined) headers['content-type'] = type;
        if (forwarded !== null) headers['x-forwarded-for'] = forwarded;
        const sendsBody = raw !== undefined && route.method !== 'GET' && route.method !== 'HEAD';
        const response = await fetch(stack.baseUrl + path, { method: route.method, headers, body: sendsBody ? raw : undefined });
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status >= 500) throw new Error(`${route.method} ${path} answered ${response.status}: ${text}`);
        if (response.status >= 400) {
          const parsed = JSON.parse(text) as Record<string, unknown>;
          assert.deepEqual(Object.keys(parsed).sort(), ERROR_KEYS, text);
          assert.match(String(parsed.errorCode), /^E\d{6}$/);
        }
      }),
      { numRuns: 5000 },
    );
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    console.log(`fuzz statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
    assert.equal(total, 5000);
    assert.ok((statuses.get(413) ?? 0) > 0, 'some bodies were over the limit');
    assert.ok(stack.api.running, 'the API is alive');
    assert.equal((await stack.request('GET', '/health/live')).status, 200);
  });

  it('refuses a lone UTF-16 surrogate in any field with 400, on every send route (the e-mail validator threw on it: 500)', async () => {
    for (const route of ['signup', 'signup-in', 'signin'].map((kind) => `/v1/auth/otp/${kind}/email`)) {
      for (const loginId of ['\\ud800', 'ann\\udfff@example.com']) {
        const answer = await stack.request('POST', route, { rawBody: `{"loginId":"${loginId}"}`, bearer: projectId });
        assert.equal(answer.status, 400, `${route} ${loginId}: ${answer.text}`);
        assert.equal(answer.body.errorCode, 'E011003', answer.text);
        assert.match(answer.body.errorMessage, /loginId must not contain control characters or unpaired surrogates/);
      }
    }
    const pair = await stack.request('POST', '/v1/auth/otp/signup/email', { rawBody: '{"loginId":"smile\\ud83d\\ude00@example.com"}', bearer: projectId });
    assert.notEqual(pair.status, 500, pair.text);
  });

  it('refuses bodies over 64 KiB with 413 E011006 and accepts one just under', async () => {
    const over = await stack.request('POST', '/v1/auth/otp/signin/email', { rawBody: JSON.stringify({ loginId: 'a@b.co', pad: 'x'.repeat(64 * 1024) }), bearer: projectId });
    assert.equal(over.status, 413);
    assert.equal(over.body.errorCode, 'E011006');
    const under = await stack.request('POST', '/v1/auth/otp/signup/email', { rawBody: JSON.stringify({ loginId: 'under@example.com', pad: 'x'.repeat(60 * 1024) }), bearer: projectId });
    assert.equal(under.status, 200, under.text);
  });
});
