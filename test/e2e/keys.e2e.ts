import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3-13';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { emailSignIn, verifyWithJwks } from '../support/flows.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { eventually, Stack } from '../support/stack.js';

describe('signing-key rotation and management keys (CLI)', () => {
  let stack: Stack;
  let sink: SmtpSink;

  const sqliteFile = () => stack.env.DATABASE_URL!.slice('sqlite:'.length);
  const jwksKids = async (projectId: string) => ((await stack.request('GET', `/v2/keys/${projectId}`)).body.keys as { kid: string }[]).map((k) => k.kid);
  const cliJson = (...args: string[]) => {
    const result = stack.cli(...args);
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout);
  };

  before(async () => {
    sink = await new SmtpSink().start();
    stack = await Stack.start({ env: { EMAIL_PROVIDER: 'smtp', SMTP_URL: sink.url, EMAIL_FROM: 'OTP <otp@test.local>' } });
  });
  after(async () => {
    await stack?.stop();
    await sink?.stop();
  });

  it('keys rotate: old tokens keep validating until they expire, new tokens carry the new kid', async () => {
    const { projectId } = await stack.createProject('Rotating');
    const signIn = async () => (await emailSignIn(stack, sink, projectId, 'signup-in', 'ada@example.com')).verified.body;
    const old = await signIn();
    const oldKid = decodeProtectedHeader(old.sessionJwt).kid;

    const rotated = cliJson('keys', 'rotate', '--project', projectId);
    assert.notEqual(rotated.kid, oldKid);
    assert.deepEqual(rotated.retired.map((k: { kid: string }) => k.kid), [oldKid]);
    const serveUntil = Date.parse(rotated.retired[0].serveUntil);
    assert.ok(serveUntil >= decodeJwt(old.refreshJwt).exp! * 1000, 'the old key is published until its last refresh JWT expires');

    await eventually(async () => {
      const kids = await jwksKids(projectId);
      return kids.includes(oldKid!) && kids.includes(rotated.kid);
    }, 10_000, 'both keys in the JWKS');
    assert.equal((await verifyWithJwks(stack, projectId, old.sessionJwt)).sub, old.user.userId, 'the old session JWT still validates');
    const refreshed = await stack.post('/v1/auth/refresh', {}, `${projectId}:${old.refreshJwt}`);
    assert.equal(refreshed.status, 200, 'the old refresh JWT still refreshes');

    const fresh = await eventually(async () => {
      const tokens = await signIn();
      return decodeProtectedHeader(tokens.sessionJwt).kid === rotated.kid && tokens;
    }, 10_000, 'a session signed with the new key');
    assert.equal(decodeProtectedHeader(fresh.refreshJwt).kid, rotated.kid);
    await verifyWithJwks(stack, projectId, fresh.sessionJwt);

    // The rotation outlives a restart: the new key signs, the old one is still published.
    await stack.api.stop();
    await stack.startApi();
    assert.equal(decodeProtectedHeader((await signIn()).sessionJwt).kid, rotated.kid);
    assert.deepEqual((await jwksKids(projectId)).sort(), [oldKid, rotated.kid].sort());

    // Once its serving window is over (moved into the past here rather than waited for), the old key
    // leaves the JWKS and its tokens stop working.
    const db = new Database(sqliteFile());
    db.prepare('UPDATE signing_keys SET serve_until = ? WHERE kid = ?').run(Date.now() - 1000, oldKid);
    db.close();
    await stack.api.stop();
    await stack.startApi();
    assert.deepEqual(await jwksKids(projectId), [rotated.kid]);
    const late = await stack.post('/v1/auth/refresh', {}, `${projectId}:${old.refreshJwt}`);
    assert.equal(late.status, 401);
  });

  it('keys create, list and revoke; a revoked or cross-project key gets 401; keys are stored hashed', async () => {
    const a = await stack.createProject('A');
    const b = await stack.createProject('B');
    const license = (bearer: string) => stack.request('GET', '/v1/mgmt/license', { bearer });

    const created = stack.cli('keys', 'create', '--project', a.projectId, '--name', 'ci');
    assert.equal(created.status, 0, created.stderr);
    const { id, name, managementKey } = JSON.parse(created.stdout);
    assert.equal(name, 'ci');
    assert.match(managementKey, /^K[A-Za-z0-9]{40,}$/);

    const ok = await license(`${a.projectId}:${managementKey}`);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(typeof ok.body.rateLimitTier, 'string');
    assert.equal((await license(`${a.projectId}:${a.managementKey}`)).status, 200);

    for (const bearer of [`${b.projectId}:${managementKey}`, `${a.projectId}:${b.managementKey}`, `${a.projectId}:Knope`, a.projectId]) {
      const refused = await license(bearer);
      assert.equal(refused.status, 401, bearer);
      assert.equal(refused.body.errorCode, 'E062403', bearer);
    }

    const listed = stack.cli('keys', 'list', '--project', a.projectId);
    assert.equal(listed.status, 0, listed.stderr);
    const keys = JSON.parse(listed.stdout);
    assert.deepEqual(keys.map((k: { name: string }) => k.name), ['default', 'ci']);
    assert.deepEqual(Object.keys(keys[1]).sort(), ['createdAt', 'id', 'name', 'revokedAt']);
    assert.equal(keys[1].revokedAt, null);
    assert.ok(!listed.stdout.includes(managementKey) && !listed.stdout.includes(sha256(managementKey)), 'list shows no secret');

    const revoked = cliJson('keys', 'revoke', '--project', a.projectId, '--key-id', id);
    assert.ok(Date.parse(revoked.revokedAt) <= Date.now());
    const dead = await license(`${a.projectId}:${managementKey}`);
    assert.equal(dead.status, 401);
    assert.equal(dead.body.errorCode, 'E062403');
    assert.equal((await license(`${a.projectId}:${a.managementKey}`)).status, 200, 'the other key of the project still works');
    assert.notEqual(cliJson('keys', 'list', '--project', a.projectId)[1].revokedAt, null);
    assert.equal(stack.cli('keys', 'revoke', '--project', b.projectId, '--key-id', id).status, 1, "a key is revoked through its own project only");

    const stored = readDatabaseFiles(sqliteFile());
    for (const key of [managementKey, a.managementKey, b.managementKey]) {
      assert.ok(!stored.includes(key), 'no management key in clear');
      assert.ok(stored.includes(sha256(key)), 'its SHA-256 is what is kept');
    }
  });

  it('answers CLI usage errors with exit code 2 and unknown projects with 1', async () => {
    assert.equal(stack.cli('keys', 'rotate').status, 2);
    assert.equal(stack.cli('keys', 'frobnicate', '--project', 'P0').status, 2);
    assert.equal(stack.cli('keys', 'revoke', '--project', (await stack.createProject('C')).projectId).status, 2);
    const unknown = stack.cli('keys', 'list', '--project', 'P0000000000000000000000000000');
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /Unknown project/);
  });
});

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** The raw bytes of the SQLite database and its WAL, as text. */
function readDatabaseFiles(file: string): string {
  const dir = dirname(file);
  return readdirSync(dir)
    .map((name) => readFileSync(`${dir}/${name}`).toString('latin1'))
    .join('\n');
}
