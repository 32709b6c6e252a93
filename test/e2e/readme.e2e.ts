import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { freePort } from '../support/ports.js';
import { allocateRedisDb, createDatabase, eventually, ManagedProcess, REDIS_BASE, ROOT, spawnNode } from '../support/stack.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** `npm start` as a newcomer runs it: npm's own process, whose child is the server. */
function npmStart(env: Record<string, string>): ManagedProcess {
  const child = spawn('npm', ['start'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  return new ManagedProcess('npm start', child);
}

/** Whether something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(true) === undefined && socket.destroy());
    socket.once('error', () => resolve(false));
  });
}

/** SIGTERM to npm's PID alone (what a process manager or `kill` does), then the server's port must close. */
async function stopNpm(proc: ManagedProcess, ports: number[]): Promise<void> {
  process.kill(proc.pid, 'SIGTERM');
  try {
    await eventually(async () => (await Promise.all(ports.map(listening))).every((open) => !open), 10_000, `ports ${ports.join(', ')} to close after SIGTERM to npm`);
  } finally {
    killGroup(proc);
  }
}

/** Whatever is left of npm's process group (after a failure) must not outlive the test. */
function killGroup(proc: ManagedProcess): void {
  try {
    process.kill(-proc.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

describe('README', () => {
  it('shows the quick-start command and the test command', () => {
    assert.match(readme, /```sh\nnpm ci && npm run build && npm start\n```/);
    assert.match(readme, /```sh\nnpm test\n```/);
  });

  it('links only to files inside the repository, the API contract included', () => {
    for (const file of ['README.md', 'docs/performance.md']) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const path = resolve(ROOT, dirname(file), target!);
        assert.ok(path.startsWith(`${ROOT}/`) && existsSync(path), `${file} links to ${target}`);
      }
    }
    assert.match(readme, /\[`docs\/API\.md`\]\(docs\/API\.md\)/);
  });

  it('keeps the per-project settings in one table, and explains the cooldown and the update-email verify', () => {
    const section = readme.slice(readme.indexOf('Per-project settings'), readme.indexOf('## Operations'));
    const rows = section.split('\n').map((line, index) => ({ line, index })).filter(({ line }) => line.startsWith('|'));
    const indexes = rows.map((row) => row.index);
    assert.deepEqual(indexes, indexes.map((_, i) => indexes[0]! + i), 'no table row stranded after a paragraph');
    for (const setting of ['corsOrigins', 'statusWebhookUrl', 'statusWebhookSecret']) assert.ok(rows.some(({ line }) => line.startsWith(`| \`${setting}\``)), setting);

    const walkthrough = readme.slice(readme.indexOf('## The e-mail flow with curl'), readme.indexOf('## Running it for real'));
    assert.match(walkthrough, /within 30 seconds answers 429 `E130429`/);
    assert.match(walkthrough, /the verify names the user's current login ID/);
    assert.match(walkthrough, /managementKey/, 'project create shows the management key, not only the projectId');
  });

  it('docs/performance.md is written for readers of the repository', () => {
    const text = readFileSync(join(ROOT, 'docs/performance.md'), 'utf8');
    assert.doesNotMatch(text, /this session|the session|the issue/i);
  });

  it('npm start (the quick start, after its build) serves the API with a worker, says what to do next last, and stops on SIGTERM to npm', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otp-readme-'));
    const port = await freePort();
    // Where a newcomer's Redis would be, REDIS_DEFAULT_URL names the test run's own, so the machine's Redis is never touched.
    const proc = npmStart({ PORT: String(port), DATABASE_URL: `sqlite:${join(dir, 'otp.sqlite')}`, REDIS_DEFAULT_URL: `${REDIS_BASE}/${await allocateRedisDb()}` });
    try {
      await proc.waitForOutput(/Next: node dist\/cli\.js project create --name/, 30_000);
      assert.match(proc.output, /Delivery worker running in the API process/);
      assert.match(proc.output, /OTP_SECRET is not set/);
      const health = await fetch(`http://127.0.0.1:${port}/health/live`);
      assert.equal(health.status, 200);

      // Start-up output: a few lines, the hint last; Nest's per-module and per-route lines are debug.
      const lines = proc.output.split('\n').filter((line) => line.trim() && !line.startsWith('>'));
      assert.match(lines.at(-1)!, /Next: /, proc.output);
      assert.doesNotMatch(proc.output, /InstanceLoader|RouterExplorer|RoutesResolver/);
      assert.doesNotMatch(proc.output, /"level":40/, `no warning but the development secret one:\n${proc.output}`);
      assert.ok(lines.length <= 8, `${lines.length} lines:\n${proc.output}`);

      await stopNpm(proc, [port]);
    } finally {
      killGroup(proc);
      await proc.wait();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('npm start with no Redis where it looks starts a private redis-server, signs a user in, counts the worker in /metrics and stops it all on SIGTERM', async () => {
    const cleanups: (() => Promise<void> | void)[] = [];
    const port = await freePort();
    const nobody = await freePort();
    const env = {
      PORT: String(port),
      DATABASE_URL: await createDatabase('sqlite', cleanups),
      // 127.0.0.1:6379 answers on this machine: point the development default where nothing listens.
      REDIS_DEFAULT_URL: `redis://127.0.0.1:${nobody}`,
    };
    const proc = npmStart(env);
    try {
      await proc.waitForOutput(/Next: /, 30_000);
      const line = /No Redis at 127\.0\.0\.1:\d+: started a private redis-server at 127\.0\.0\.1:(\d+) \(data in \.\/data\/redis\), stopped with this process\./.exec(proc.output);
      assert.ok(line, proc.output);
      const redisPort = Number(line[1]);
      assert.ok(await listening(redisPort));

      const created = spawnSync(process.execPath, ['dist/cli.js', 'project', 'create', '--name', 'Quick'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
      assert.equal(created.status, 0, created.stderr);
      const { projectId } = JSON.parse(created.stdout) as { projectId: string };
      const post = (path: string, body: unknown) =>
        fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { authorization: `Bearer ${projectId}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal((await post('/v1/auth/otp/signup/email', { loginId: 'ada@example.com' })).status, 200);
      const code = await eventually(() => /otp email to ada@example\.com:[^"]*?(?<!\d)(\d{6})(?!\d)/.exec(proc.output)?.[1], 10_000, 'the code on the console');
      const verified = await post('/v1/auth/otp/verify/email', { loginId: 'ada@example.com', code });
      assert.equal(verified.status, 200, await verified.text());

      // One registry per process: the in-process worker's counts are in the API's /metrics.
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(metrics, new RegExp(`otp_funnel_total\\{project="${projectId}",channel="email",outcome="sent"\\} 1`));
      assert.match(metrics, /otp_delivery_latency_seconds_count\{channel="email",provider="console"\} 1/);
      assert.match(metrics, new RegExp(`otp_funnel_total\\{project="${projectId}",channel="email",outcome="verified"\\} 1`));

      await stopNpm(proc, [port, redisPort]);
    } finally {
      killGroup(proc);
      await proc.wait();
      for (const cleanup of cleanups) await cleanup();
    }
  });

  it('without redis-server on PATH, the quick start says in one line what to install', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'otp-path-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const proc = spawnNode('main', 'dist/main.js', {
      PATH: bin,
      RUN_WORKER: 'true',
      PORT: String(await freePort()),
      DATABASE_URL: 'sqlite::memory:',
      REDIS_DEFAULT_URL: `redis://127.0.0.1:${await freePort()}`,
    });
    try {
      assert.equal(await proc.wait(), 1);
      const lines = proc.output.split('\n').filter((l) => l.includes('redis-server'));
      assert.equal(lines.length, 1, proc.output);
      assert.match(lines[0]!, /^No Redis at 127\.0\.0\.1:\d+ and no redis-server on PATH: install Redis .* or set REDIS_URL\.$/);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
