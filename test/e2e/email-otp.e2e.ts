import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import pg from 'pg';
import { emailSignIn, verifyWithJwks } from '../support/flows.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { type DbKind, eventually, sleep, Stack } from '../support/stack.js';

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`email OTP end to end on ${db}`, () => {
    let stack: Stack;
    let sink: SmtpSink;
    let projectId: string;

    before(async () => {
      sink = await new SmtpSink().start();
      stack = await Stack.start({ db, env: { EMAIL_PROVIDER: 'smtp', SMTP_URL: sink.url, EMAIL_FROM: 'OTP <otp@test.local>' } });
      projectId = (await stack.createProject('Acme')).projectId;
    });
    after(async () => {
      await stack?.stop();
      await sink?.stop();
    });

    it('signs up over email through SMTP and the worker, and the session JWT validates against the JWKS', async () => {
      const { sent, verified } = await emailSignIn(stack, sink, projectId, 'signup', 'Ada@Example.com', { user: { name: 'Ada Lovelace' } });
      assert.deepEqual(sent.body, { maskedEmail: 'a***@example.com' });
      const mail = sink.to('ada@example.com')[0]!;
      assert.match(mail.subject, /Acme/);
      assert.match(mail.text, /expires in 5 minutes/);
      assert.match(mail.html, /<p style="font-size:28px/);
      assert.equal(verified.status, 200, verified.text);
      const body = verified.body;
      assert.equal(body.firstSeen, true);
      assert.equal(body.cookiePath, '/');
      assert.equal(typeof body.cookieMaxAge, 'number');
      assert.equal(body.user.email, 'ada@example.com');
      assert.equal(body.user.verifiedEmail, true);
      assert.equal(body.user.name, 'Ada Lovelace');
      assert.deepEqual(body.user.loginIds, ['ada@example.com']);
      assert.equal(body.user.status, 'enabled');
      const session = await verifyWithJwks(stack, projectId, body.sessionJwt);
      assert.equal(session.sub, body.user.userId);
      assert.equal(session.drn, 'DS');
      assert.deepEqual(session.amr, ['email']);
      assert.equal(body.sessionExpiration, session.exp);
      assert.ok(session.exp! - session.iat! === 600);
      const refresh = await verifyWithJwks(stack, projectId, body.refreshJwt);
      assert.equal(refresh.drn, 'DSR');
      assert.equal(body.cookieExpiration, refresh.exp);
    });

    it('signs in an existing user (firstSeen false) and signs up-or-in a new one (firstSeen true)', async () => {
      const signin = await emailSignIn(stack, sink, projectId, 'signin', 'ada@example.com');
      assert.equal(signin.verified.status, 200, signin.verified.text);
      assert.equal(signin.verified.body.firstSeen, false);
      await verifyWithJwks(stack, projectId, signin.verified.body.sessionJwt);

      const upOrIn = await emailSignIn(stack, sink, projectId, 'signup-in', 'grace@example.com');
      assert.equal(upOrIn.verified.status, 200, upOrIn.verified.text);
      assert.equal(upOrIn.verified.body.firstSeen, true);
      const again = await emailSignIn(stack, sink, projectId, 'signup-in', 'grace@example.com');
      assert.equal(again.verified.body.firstSeen, false);
      assert.equal(again.verified.body.user.userId, upOrIn.verified.body.user.userId);
    });

    it('answers the send route before delivery: with no worker the job waits, a new worker delivers it', async () => {
      await stack.workers[0]!.stop();
      stack.workers.pop();
      const queue = new Queue('delivery', { connection: { url: stack.env.REDIS_URL }, prefix: '{otpq}' });
      try {
        const before = sink.to('ada@example.com').length;
        const started = Date.now();
        const sent = await stack.post('/v1/auth/otp/signin/email', { loginId: 'ada@example.com' }, projectId);
        assert.equal(sent.status, 200);
        assert.ok(Date.now() - started < 2000);
        assert.equal(await queue.getWaitingCount(), 1);
        await sleep(500);
        assert.equal(sink.to('ada@example.com').length, before, 'nothing is delivered without a worker');
        await stack.startWorker();
        const code = await sink.codeFor('ada@example.com', before + 1);
        const verified = await stack.post('/v1/auth/otp/verify/email', { loginId: 'ada@example.com', code }, projectId);
        assert.equal(verified.status, 200);
        await eventually(async () => (await queue.getWaitingCount()) === 0, 5000, 'an empty queue');
      } finally {
        await queue.close();
      }
    });

    it('gives the contract error codes for the flow errors', async () => {
      const exists = await stack.post('/v1/auth/otp/signup/email', { loginId: 'ada@example.com' }, projectId);
      assert.equal(exists.status, 400);
      assert.equal(exists.body.errorCode, 'E062107');
      const unknown = await stack.post('/v1/auth/otp/signin/email', { loginId: 'nobody@example.com' }, projectId);
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.errorCode, 'E062108');

      const n = sink.to('ada@example.com').length;
      await stack.post('/v1/auth/otp/signin/email', { loginId: 'ada@example.com' }, projectId);
      const code = await sink.codeFor('ada@example.com', n + 1);
      const wrong = code === '000000' ? '111111' : '000000';
      for (let i = 1; i <= 5; i++) {
        const attempt = await stack.post('/v1/auth/otp/verify/email', { loginId: 'ada@example.com', code: wrong }, projectId);
        assert.equal(attempt.status, 401, `attempt ${i}`);
        assert.equal(attempt.body.errorCode, 'E061102', `attempt ${i}`);
      }
      const sixth = await stack.post('/v1/auth/otp/verify/email', { loginId: 'ada@example.com', code }, projectId);
      assert.equal(sixth.status, 429);
      assert.equal(sixth.body.errorCode, 'E061103');
    });

    it('kills an older code when a new one is sent', async () => {
      const n = sink.to('ada@example.com').length;
      await stack.post('/v1/auth/otp/signin/email', { loginId: 'ada@example.com' }, projectId);
      const first = await sink.codeFor('ada@example.com', n + 1);
      await stack.post('/v1/auth/otp/signin/email', { loginId: 'ada@example.com' }, projectId);
      const second = await sink.codeFor('ada@example.com', n + 2);
      if (first !== second) {
        const old = await stack.post('/v1/auth/otp/verify/email', { loginId: 'ada@example.com', code: first }, projectId);
        assert.equal(old.body.errorCode, 'E061102');
      }
      const current = await stack.post('/v1/auth/otp/verify/email', { loginId: 'ada@example.com', code: second }, projectId);
      assert.equal(current.status, 200);
    });

    it('refuses an expired code with E061104', async () => {
      const short = (await stack.createProject('Short', { otpExpirySeconds: 1 })).projectId;
      const { sent, code } = await (async () => {
        const s = await stack.post('/v1/auth/otp/signup/email', { loginId: 'late@example.com' }, short);
        return { sent: s, code: await sink.codeFor('late@example.com') };
      })();
      assert.equal(sent.status, 200);
      await sleep(1500);
      const late = await stack.post('/v1/auth/otp/verify/email', { loginId: 'late@example.com', code }, short);
      assert.equal(late.status, 401);
      assert.equal(late.body.errorCode, 'E061104');
    });

    it('lets exactly one of two concurrent verifies of one code get a session', async () => {
      const n = sink.to('ada@example.com').length;
      await stack.post('/v1/auth/otp/signin/email', { loginId: 'ada@example.com' }, projectId);
      const code = await sink.codeFor('ada@example.com', n + 1);
      const results = await Promise.all(
        Array.from({ length: 10 }, () => stack.post('/v1/auth/otp/verify/email', { loginId: 'ada@example.com', code }, projectId)),
      );
      assert.equal(results.filter((r) => r.status === 200).length, 1);
      // Losers either find the code consumed (E061102) or, past the attempt budget, dead (E061103).
      assert.ok(results.filter((r) => r.status !== 200).every((r) => ['E061102', 'E061103'].includes(r.body.errorCode)));
    });

    it('answers 401 without a valid project bearer and 400 for malformed bodies, always with a JSON error body', async () => {
      const none = await stack.request('POST', '/v1/auth/otp/signin/email', { body: { loginId: 'ada@example.com' } });
      assert.equal(none.status, 401);
      assert.match(none.body.errorCode, /^E0110\d\d$/);
      const unknown = await stack.post('/v1/auth/otp/signin/email', { loginId: 'ada@example.com' }, 'P2AAAAAAAAAAAAAAAAAAAAAAAAAA');
      assert.equal(unknown.status, 401);
      assert.equal(unknown.body.errorCode, 'E062401');
      const garbage = await stack.post('/v1/auth/otp/signin/email', { loginId: 'ada@example.com' }, 'not a bearer at all');
      assert.equal(garbage.status, 401);
      const badJson = await stack.request('POST', '/v1/auth/otp/signin/email', { rawBody: '{"loginId":', bearer: projectId });
      assert.equal(badJson.status, 400);
      assert.equal(badJson.body.errorCode, 'E011001');
      const badType = await stack.post('/v1/auth/otp/signin/email', { loginId: 42 }, projectId);
      assert.equal(badType.status, 400);
      assert.equal(badType.body.errorCode, 'E011003');
      assert.match(badType.body.errorMessage, /loginId/);
      const missing = await stack.post('/v1/auth/otp/verify/email', { loginId: 'ada@example.com' }, projectId);
      assert.equal(missing.body.errorCode, 'E011002');
      assert.match(missing.body.errorMessage, /code/);
      const badEmail = await stack.post('/v1/auth/otp/signup/email', { loginId: 'not-an-email' }, projectId);
      assert.equal(badEmail.body.errorCode, 'E011003');
      const extraKeys = await stack.post('/v1/auth/otp/signup/email', { loginId: 'extra@example.com', email: 'extra@example.com', whatever: 1 }, projectId);
      assert.equal(extraKeys.status, 200, extraKeys.text);
      const notFound = await stack.request('GET', '/no/such/route');
      assert.equal(notFound.status, 404);
      for (const r of [none, unknown, garbage, badJson, badType, missing, badEmail, notFound]) {
        assert.deepEqual(Object.keys(r.body).sort(), ['errorCode', 'errorDescription', 'errorMessage']);
      }
    });

    it('keeps no code in clear in the database, in Redis (challenge and job data) or in the logs', async () => {
      const secretive = (await stack.createProject('Secretive', { otpLength: 8 })).projectId;
      const loginId = 'quiet@example.com';
      await stack.workers[0]!.stop();
      stack.workers.pop();
      const sent = await stack.post('/v1/auth/otp/signup/email', { loginId }, secretive);
      assert.equal(sent.status, 200);
      const redisSnapshot = await dumpRedis(stack);
      assert.match(redisSnapshot, /sealed\\":\\"v1\./, 'the waiting job is in the snapshot, sealed');
      await stack.startWorker();
      const code = await sink.codeFor(loginId);
      assert.equal(code.length, 8);
      const redisWithChallenge = await dumpRedis(stack);
      const verified = await stack.post('/v1/auth/otp/verify/email', { loginId, code }, secretive);
      assert.equal(verified.status, 200);
      const pattern = new RegExp(`\\b${code}\\b`);
      assert.doesNotMatch(redisSnapshot, pattern);
      assert.doesNotMatch(redisWithChallenge, pattern);
      assert.doesNotMatch(await dumpDatabase(stack), pattern);
      assert.doesNotMatch(stack.logs(), pattern);
      assert.match(stack.logs(), /"msg":"delivered"/, 'the worker logged the delivery');
    });

    it('serves Swagger UI at /docs and lists the routes in /docs/json', async () => {
      const ui = await stack.request('GET', '/docs');
      assert.equal(ui.status, 200);
      assert.match(ui.text, /swagger-ui/i);
      const doc = await stack.request('GET', '/docs/json');
      const paths = Object.keys(doc.body.paths);
      for (const path of [
        '/v1/auth/otp/signup/email',
        '/v1/auth/otp/signin/email',
        '/v1/auth/otp/signup-in/email',
        '/v1/auth/otp/verify/email',
        '/v2/keys/{projectId}',
      ]) {
        assert.ok(paths.includes(path), `${path} in ${paths.join(', ')}`);
      }
      const signup = doc.body.paths['/v1/auth/otp/signup/email'].post;
      assert.ok(signup.requestBody, 'the body schema is documented');
      assert.ok(doc.body.components.securitySchemes.ProjectId);
      assert.ok(doc.body.components.schemas.ErrorResponseDto);
      assert.ok(doc.body.components.schemas.SignUpRequestDto.properties.loginId.example);
    });
  });
}

async function dumpRedis(stack: Stack): Promise<string> {
  const parts: string[] = [];
  for (const key of await stack.redis.keys('*')) {
    const type = await stack.redis.type(key);
    if (type === 'string') parts.push(key, (await stack.redis.get(key)) ?? '');
    else if (type === 'hash') parts.push(key, JSON.stringify(await stack.redis.hgetall(key)));
    else if (type === 'list') parts.push(key, JSON.stringify(await stack.redis.lrange(key, 0, -1)));
    else if (type === 'set') parts.push(key, JSON.stringify(await stack.redis.smembers(key)));
    else if (type === 'zset') parts.push(key, JSON.stringify(await stack.redis.zrange(key, 0, -1, 'WITHSCORES')));
    else if (type === 'stream') parts.push(key, JSON.stringify(await stack.redis.xrange(key, '-', '+')));
  }
  return parts.join('\n');
}

async function dumpDatabase(stack: Stack): Promise<string> {
  const url = stack.env.DATABASE_URL!;
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    const dir = dirname(file);
    return readdirSync(dir)
      .map((name) => readFileSync(`${dir}/${name}`).toString('latin1'))
      .join('\n');
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
    const rows: string[] = [];
    for (const { tablename } of tables.rows) rows.push(JSON.stringify((await client.query(`SELECT * FROM "${tablename}"`)).rows));
    return rows.join('\n');
  } finally {
    await client.end();
  }
}
