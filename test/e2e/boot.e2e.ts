import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort } from '../support/ports.js';
import { allocateRedisDb, ManagedProcess, REDIS_BASE, ROOT, spawnNode } from '../support/stack.js';

const base = { PATH: process.env.PATH ?? '', NODE_ENV: 'test', HOST: '127.0.0.1', DATABASE_URL: 'sqlite::memory:' };

describe('boot', () => {
  for (const script of ['dist/main.js', 'dist/worker.js']) {
    it(`${script} exits within 10 s with one line naming REDIS_URL when Redis is unreachable`, async () => {
      const port = await freePort();
      const started = Date.now();
      const proc = spawnNode('boot', script, { ...base, PORT: String(await freePort()), REDIS_URL: `redis://127.0.0.1:${port}` });
      const code = await proc.wait();
      assert.ok(Date.now() - started < 10_000, `exited after ${Date.now() - started} ms`);
      assert.equal(code, 1);
      const lines = proc.output.split('\n').filter((l) => l.includes('REDIS_URL'));
      assert.equal(lines.length, 1, proc.output);
      assert.match(lines[0]!, new RegExp(`Cannot reach Redis at REDIS_URL=redis://127.0.0.1:${port}`));
    });
  }

  it('refuses to start on bad configuration with one line per problem', async () => {
    const proc = spawnNode('boot', 'dist/main.js', { ...base, PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
    assert.equal(await proc.wait(), 1);
    const problems = proc.output.split('\n').filter((l) => l.startsWith('config error: '));
    assert.equal(problems.length, 3, proc.output);
    assert.ok(problems.some((l) => l.startsWith('config error: PORT="eighty"')));
    assert.ok(problems.some((l) => l.startsWith('config error: LOG_LEVEL="loud"')));
    assert.ok(problems.some((l) => l.startsWith('config error: DATABASE_URL="mysql://x"')));
  });

  it('refuses production without OTP_SECRET or with the console e-mail provider', async () => {
    const proc = spawnNode('boot', 'dist/main.js', { ...base, NODE_ENV: 'production', EMAIL_PROVIDER: 'console' });
    assert.equal(await proc.wait(), 1);
    assert.match(proc.output, /config error: OTP_SECRET: required when NODE_ENV=production/);
    assert.match(proc.output, /config error: EMAIL_PROVIDER=console: refused when NODE_ENV=production/);
  });

  it('the API and the worker read .env in the working directory, the environment winning over it', async () => {
    const work = mkdtempSync(join(tmpdir(), 'otp-dotenv-'));
    const databaseUrl = `sqlite:${join(work, 'otp.sqlite')}`;
    const [apiPort, healthPort, envPort] = [await freePort(), await freePort(), await freePort()];
    writeFileSync(
      join(work, '.env'),
      [`PORT=${apiPort}`, 'HOST=127.0.0.1', `WORKER_HEALTH_PORT=${healthPort}`, `REDIS_URL=${REDIS_BASE}/${await allocateRedisDb()}`, `DATABASE_URL=${databaseUrl}`, 'LOG_LEVEL=info'].join('\n'),
    );
    const start = (script: string, extra: Record<string, string> = {}): ManagedProcess =>
      new ManagedProcess(script, spawn(process.execPath, [join(ROOT, script)], { cwd: work, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...extra }, stdio: ['ignore', 'pipe', 'pipe'] }));
    const api = start('dist/main.js');
    const worker = start('dist/worker.js');
    const overridden = start('dist/main.js', { PORT: String(envPort) });
    try {
      await api.waitForOutput(/API listening/, 45_000);
      await worker.waitForOutput(/Delivery worker running/, 45_000);
      await overridden.waitForOutput(/API listening/, 45_000);
      assert.equal((await fetch(`http://127.0.0.1:${apiPort}/health/live`)).status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${healthPort}/health/live`)).status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${envPort}/health/live`)).status, 200, 'PORT from the environment beats .env');
    } finally {
      await Promise.all([api.stop(), worker.stop(), overridden.stop()]);
      rmSync(work, { recursive: true, force: true });
    }
  });
});
