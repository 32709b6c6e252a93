#!/usr/bin/env node
// Builds once (test/build.mjs: .test-build/ for the specs, the suites and the bench, and dist/ for the
// processes the suites start), then runs Node's test runner: unit specs next to their files in src/,
// end-to-end suites in test/e2e/.
//
// Unless TEST_REDIS_URL is set, the run starts a redis-server of its own on a free loopback port (no
// persistence, its own temporary folder) and stops it by its PID at the end, so that a developer's
// Redis on 6379 is never flushed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { find } from './find-files.mjs';

const args = process.argv.slice(2);
const only = args.find((a) => a === '--unit' || a === '--e2e');
const filters = args.filter((a) => !a.startsWith('--'));
const out = '.test-build';
/** Fails a top-level test (or hook) that hangs, so that CI ends; the bench smoke run took 181 s on 2 busy cores. */
const TEST_TIMEOUT_MS = 600_000;

if (!process.env.TEST_REDIS_URL && spawnSync('redis-server', ['--version']).error) {
  console.error('redis-server is not on PATH: install it (apt-get install redis-server); the tests start their own on a free port.');
  process.exit(1);
}

const build = spawnSync(process.execPath, ['test/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

let files = [];
if (only !== '--e2e') files = files.concat(find(join(out, 'src'), '.spec.js'));
if (only !== '--unit') files = files.concat(find(join(out, 'test'), '.e2e.js'));
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
files.sort();
// The slowest files start first (the per-file times printed at the end of a run): with the files in
// name order, the longest could start last and run alone while the other slots idle.
const SLOWEST_FIRST = ['bench-smoke.e2e', 'security-limits.e2e', 'faults.e2e', 'cli.e2e', 'phone-otp.e2e', 'descope-sdk.e2e', 'rate-limits.e2e'];
const rank = (file) => {
  const i = SLOWEST_FIRST.findIndex((name) => file.endsWith(`${name}.js`));
  return i === -1 ? SLOWEST_FIRST.length : i;
};
files.sort((a, b) => rank(a) - rank(b));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

let redis;
let redisDir;
let tests;

function stopRedis() {
  if (redis && redis.exitCode === null && redis.signalCode === null) redis.kill('SIGTERM');
  redis = undefined;
  if (redisDir) rmSync(redisDir, { recursive: true, force: true });
  redisDir = undefined;
}

// Enough that a run never hands out a database index twice (allocateRedisDb in test/support/stack.ts).
const REDIS_DATABASES = 1024;

async function startRedis() {
  const port = await freePort();
  redisDir = mkdtempSync(join(tmpdir(), 'otp-test-redis-'));
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir, '--databases', String(REDIS_DATABASES)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on port ${port}:\n${output}`)), 10_000);
    const onData = (d) => {
      output += d.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    redis.stdout.on('data', onData);
    redis.stderr.on('data', onData);
    redis.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}) on port ${port}:\n${output}`));
    });
  });
  return `redis://127.0.0.1:${port}`;
}

process.on('exit', stopRedis);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (tests && tests.exitCode === null) tests.kill(signal);
    stopRedis();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

const env = { ...process.env };
// Where test files take turns at what must not overlap (test/support/cpu-lock.ts).
const lockDir = mkdtempSync(join(tmpdir(), 'otp-test-locks-'));
env.TEST_LOCK_DIR = lockDir;
process.on('exit', () => rmSync(lockDir, { recursive: true, force: true }));
if (!env.TEST_REDIS_URL) {
  try {
    env.TEST_REDIS_URL = await startRedis();
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
  env.TEST_REDIS_DATABASES = String(REDIS_DATABASES);
  console.log(`Private redis-server for this run at ${env.TEST_REDIS_URL}`);
}

// Three files at once on 2 cores: the suites spend much of their time waiting (cooldowns, retries,
// process boots), and a third file fills those waits: 206 s against 250 s for the whole run here.
const concurrency = process.env.TEST_CONCURRENCY ?? '3';
tests = spawn(process.execPath, ['test/runner.mjs', concurrency, String(TEST_TIMEOUT_MS), ...files], { stdio: 'inherit', env });
tests.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
