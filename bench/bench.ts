// `npm run bench [-- options]`: starts the API and workers from dist/ against the local Redis and a fresh
// database, drives load and prints one table. Not a test; `--smoke` (2 s per scenario) runs in npm test.
//
// Options: --duration <s> (10), --connections <n> (50), --db postgres|sqlite (postgres),
// --scenarios ceiling,send,send-2api,cycle,drain,drain-50ms,memory (all), --users <n> seeded users (10000),
// --memory-sends <n> (300000), --log-level <level> (info), --smoke, --keep-logs,
// --profile (the API and workers write V8 CPU profiles next to the kept logs; see bench/profile-summary.mjs),
// --node-flags="<flags>" for the API and worker processes (--max-old-space-size=128 --max-semi-space-size=16, as npm start runs them).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SecretsService } from '../src/common/crypto/secrets.service.js';
import { AppConfig } from '../src/config/app-config.js';
import { DeliveryQueueService } from '../src/delivery/delivery-queue.service.js';
import { sinkKey } from '../src/delivery/providers/sink.provider.js';
import { QUEUE_PREFIX } from '../src/queue/queue.module.js';
import { freePort } from '../test/support/ports.js';
import { allocateRedisDb, createDatabase, type DbKind, REDIS_BASE } from '../test/support/stack.js';
import { runCycles } from './cycle.js';
import { CpuMeter, logPath, rssMb, ServerProcess } from './processes.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SCENARIOS = ['ceiling', 'send', 'send-2api', 'cycle', 'drain', 'drain-50ms', 'memory'] as const;
type Scenario = (typeof SCENARIOS)[number];
const BENCH_SECRET = 'bench-only-secret-0123456789abcdef0123456789abcdef';
/**
 * The bench project's settings. Every limit stays evaluated on every request; only its thresholds are
 * raised so that they do not refuse the load.
 */
const BENCH_PROJECT_SETTINGS: Record<string, string> = {
  ipSendLimit: '1000000',
  ipVerifyLimit: '1000000',
  recipientLimit: '1000000',
  recipientCooldownSeconds: '0',
  messageBudgetEmail: '100000000',
  loginIdWrongAttemptLimit: '1000000',
};

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    db: { type: 'string', default: 'postgres' },
    scenarios: { type: 'string', default: SCENARIOS.join(',') },
    users: { type: 'string', default: '10000' },
    'memory-sends': { type: 'string', default: '300000' },
    'log-level': { type: 'string', default: 'info' },
    smoke: { type: 'boolean', default: false },
    'keep-logs': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    // As `npm start` and the Docker image run the processes.
    'node-flags': { type: 'string', default: '--max-old-space-size=128 --max-semi-space-size=16' },
  },
});
const smoke = opts.smoke;
const duration = smoke ? 2 : Number(opts.duration);
const connections = Number(opts.connections);
const db = opts.db as DbKind;
const userCount = smoke ? 500 : Number(opts.users);
const memorySends = Number(opts['memory-sends']);
const scenarios = opts.scenarios.split(',').map((s) => s.trim()) as Scenario[];
for (const s of scenarios) if (!SCENARIOS.includes(s)) throw new Error(`Unknown scenario ${s}; known: ${SCENARIOS.join(', ')}`);
if (db !== 'postgres' && db !== 'sqlite') throw new Error('--db must be postgres or sqlite');

export interface Row {
  scenario: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  cpu: number;
  rssMb: number;
  unit?: string;
  note?: string;
}

const rows: Row[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
const logDir = mkdtempSync(join(tmpdir(), 'otp-bench-'));

async function main(): Promise<void> {
  const redisDb = await allocateRedisDb();
  const redisUrl = `${REDIS_BASE}/${redisDb}`;
  const redis = new Redis(redisUrl);
  await redis.flushdb();
  cleanups.push(async () => {
    await redis.flushdb();
    redis.disconnect();
  });

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    // The sink provider is refused in production; `test` and `production` differ in nothing else here.
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    REDIS_URL: redisUrl,
    DATABASE_URL: await createDatabase(db, cleanups),
    OTP_SECRET: BENCH_SECRET,
    EMAIL_PROVIDER: 'sink',
    LOG_LEVEL: opts['log-level'],
    RATE_LIMIT_GLOBAL_PER_IP: '100000000',
  };
  const config = AppConfig.fromEnvironment(env);
  const queue = new Queue('delivery', { connection: { url: redisUrl }, prefix: QUEUE_PREFIX });
  cleanups.push(() => queue.close());

  const servers: ServerProcess[] = [];
  const start = async (name: string, script: string, ready: RegExp, extraEnv: Record<string, string> = {}) => {
    const nodeFlags = opts['node-flags'].split(' ').filter(Boolean);
    if (opts.profile) nodeFlags.push('--cpu-prof', '--cpu-prof-dir', join(logDir, 'profiles'), '--cpu-prof-name', `${name}-${servers.length}.cpuprofile`);
    const server = new ServerProcess(name, ROOT, [...nodeFlags, script], { ...env, ...extraEnv }, logPath(logDir, `${name}-${servers.length}`));
    servers.push(server);
    cleanups.push(() => server.stop());
    await server.waitForOutput(ready);
    return server;
  };
  const startWorkers = (n: number, extraEnv: Record<string, string> = {}) =>
    Promise.all(Array.from({ length: n }, (_, i) => start(`worker${i}`, 'dist/worker.js', /Delivery worker running/, extraEnv)));

  log(`machine: ${(await import('node:os')).cpus().length} CPUs, node ${process.version}; db ${db}, ${connections} connections, ${duration} s per scenario`);

  if (scenarios.includes('ceiling')) {
    const barePort = await freePort();
    const bare = await start('bare', '.test-build/bench/bare-app.js', /bare app listening/, { PORT: String(barePort) });
    let i = 0;
    const result = await load(`http://127.0.0.1:${barePort}`, '/bench', {}, () => ({ loginId: `user${i++}@bench.test` }), { duration, pids: [bare.pid] });
    rows.push(toRow('ceiling: bare NestJS+Fastify {}', result, [bare.pid]));
    await bare.stop();
  }

  const api = await start('api', 'dist/main.js', /API listening/);
  const project = await createProject(env);
  const bearer = project.projectId;

  const needsUsers = scenarios.includes('send') || scenarios.includes('send-2api') || scenarios.includes('memory');
  if (needsUsers) {
    // Through the management API: a sign-up creates its user only when its code is verified.
    log(`seeding ${userCount} users through the management API`);
    let seeded = 0;
    const seed = await load(
      baseUrl,
      '/v1/mgmt/user/create',
      { authorization: `Bearer ${bearer}:${project.managementKey}` },
      () => {
        const loginId = `seed${seeded++}@bench.test`;
        return { loginId, email: loginId, verifiedEmail: true };
      },
      { amount: userCount },
    );
    if (seed.non2xx || seed.errors) throw new Error(`seeding failed: ${seed.non2xx} non-2xx, ${seed.errors} errors`);
    await queue.obliterate({ force: true });
  }

  if (scenarios.includes('send')) {
    let i = 0;
    const result = await load(baseUrl, '/v1/auth/otp/signin/email', { authorization: `Bearer ${bearer}` }, () => ({ loginId: `seed${i++ % userCount}@bench.test` }), { duration, pids: [api.pid] });
    rows.push(toRow('send: sign-in over email', result, [api.pid]));
    await queue.obliterate({ force: true });
  }

  if (scenarios.includes('send-2api')) {
    // Scale-out on one machine: a second API process on its own port, as behind a load balancer;
    // the connections are split between the two.
    const secondPort = await freePort();
    const second = await start('api', 'dist/main.js', /API listening/, { PORT: String(secondPort) });
    let i = 0;
    const body = () => ({ loginId: `seed${i++ % userCount}@bench.test` });
    const headers = { authorization: `Bearer ${bearer}` };
    const pids = [api.pid, second.pid];
    const half = Math.max(1, Math.floor(connections / 2));
    const cpu = new CpuMeter(() => pids).start();
    const results = await Promise.all(
      [baseUrl, `http://127.0.0.1:${secondPort}`].map((url) => load(url, '/v1/auth/otp/signin/email', headers, body, { duration, connections: half })),
    );
    const cpuPct = cpu.stop();
    rows.push({
      ...toRow('send: 2 API processes', { ...parallel(results), cpu: cpuPct }, pids),
      note: `${half} connections each; p50/p99 the higher of the two`,
    });
    await second.stop();
    await queue.obliterate({ force: true });
  }

  if (scenarios.includes('cycle')) {
    const workers = await startWorkers(1);
    const pids = [api.pid, ...workers.map((w) => w.pid)];
    const cpu = new CpuMeter(() => pids).start();
    const result = await runCycles({ baseUrl, bearer, redisUrl, connections, durationMs: duration * 1000, sinkKey });
    const cpuPct = cpu.stop();
    rows.push({ scenario: 'full cycle: signup-in → sink → verify', unit: 'cycles/s', ...result, cpu: cpuPct, rssMb: rssMb(api.pid) });
    await Promise.all(workers.map((w) => w.stop()));
    await queue.obliterate({ force: true });
  }

  const producer = new DeliveryQueueService(queue, new SecretsService(config), config);
  if (scenarios.includes('drain')) rows.push(await drain(queue, producer, 1, 0, startWorkers));
  if (scenarios.includes('drain-50ms')) {
    for (const n of [1, 2, 4]) rows.push(await drain(queue, producer, n, 50, startWorkers));
    const base = rows.find((r) => r.scenario === 'delivery: 1 worker, 50 ms sink');
    for (const n of [2, 4]) {
      const row = rows.find((r) => r.scenario === `delivery: ${n} workers, 50 ms sink`);
      if (base && row && base.rps > 0) row.note = `${(row.rps / base.rps).toFixed(2)}× one worker`;
    }
  }

  if (scenarios.includes('memory')) {
    const workers = await startWorkers(1);
    const parts = 3;
    const rssAfter: number[] = [];
    const heapAfter: string[] = [];
    let i = 0;
    let total: LoadResult | undefined;
    for (let part = 0; part < parts; part++) {
      const target = smoke ? { duration: duration / parts } : { amount: Math.ceil(memorySends / parts) };
      const result = await load(baseUrl, '/v1/auth/otp/signin/email', { authorization: `Bearer ${bearer}` }, () => ({ loginId: `seed${i++ % userCount}@bench.test` }), { ...target, pids: [api.pid] });
      total = total ? merge(total, result) : result;
      rssAfter.push(rssMb(api.pid));
      heapAfter.push(await heapMb(baseUrl));
    }
    const row = toRow(`memory: ${total!.requests} sends`, total!, [api.pid]);
    row.note = `API RSS after each third: ${rssAfter.map((r) => r.toFixed(0)).join(' / ')} MB; V8 heap used/total, external: ${heapAfter.join(' / ')}`;
    rows.push(row);
    await Promise.all(workers.map((w) => w.stop()));
    await queue.obliterate({ force: true });
  }
  printTable();
}

/** The API's V8 heap (used/total) and external memory in MB, from its own /metrics. */
async function heapMb(baseUrl: string): Promise<string> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const mb = (name: string) => (Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 1e6).toFixed(0);
  return `${mb('nodejs_heap_size_used_bytes')}/${mb('nodejs_heap_size_total_bytes')}, ${mb('nodejs_external_memory_bytes')}`;
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  requests: number;
  seconds: number;
  /** CPU of the given server processes during the load, % of one core. */
  cpu: number;
}

/** autocannon against one POST route; `body()` makes every request different. */
async function load(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  body: () => unknown,
  target: { duration?: number; amount?: number; pids?: number[]; connections?: number },
): Promise<LoadResult> {
  const cpu = new CpuMeter(() => target.pids ?? []).start();
  const result = await autocannon({
    url: baseUrl,
    connections: target.connections ?? connections,
    ...(target.amount ? { amount: target.amount } : { duration: target.duration }),
    requests: [
      {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', ...headers },
        setupRequest: (request) => ({ ...request, body: JSON.stringify(body()) }),
      },
    ],
  });
  const seconds = result.duration;
  return {
    cpu: cpu.stop(),
    rps: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    requests: result.requests.total,
    seconds,
  };
}

function merge(a: LoadResult, b: LoadResult): LoadResult {
  const requests = a.requests + b.requests;
  const seconds = a.seconds + b.seconds;
  const cpu = (a.cpu * a.seconds + b.cpu * b.seconds) / seconds;
  return { rps: requests / seconds, p50: Math.max(a.p50, b.p50), p99: Math.max(a.p99, b.p99), errors: a.errors + b.errors, non2xx: a.non2xx + b.non2xx, requests, seconds, cpu };
}

/** Loads that ran at the same time: their rates add up. */
function parallel(results: LoadResult[]): LoadResult {
  const requests = results.reduce((sum, r) => sum + r.requests, 0);
  const seconds = Math.max(...results.map((r) => r.seconds));
  return {
    rps: results.reduce((sum, r) => sum + r.rps, 0),
    p50: Math.max(...results.map((r) => r.p50)),
    p99: Math.max(...results.map((r) => r.p99)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    requests,
    seconds,
    cpu: 0,
  };
}

function toRow(scenario: string, result: LoadResult, pids: number[]): Row {
  return { scenario, unit: 'req/s', ...result, rssMb: Math.max(...pids.map(rssMb)) };
}

/**
 * Delivery throughput: jobs are queued (sealed, by the product's own producer) while the queue is
 * paused, the workers start, then the queue resumes and the clock runs until it is empty or the
 * duration is over.
 */
async function drain(
  queue: Queue,
  producer: DeliveryQueueService,
  workerCount: number,
  delayMs: number,
  startWorkers: (n: number, env?: Record<string, string>) => Promise<ServerProcess[]>,
): Promise<Row> {
  const perWorkerPerSecond = delayMs > 0 ? 1000 / delayMs * 50 : 12_000;
  const jobs = Math.ceil(perWorkerPerSecond * workerCount * duration * 1.2);
  await queue.pause();
  await enqueue(producer, jobs);
  const workers = await startWorkers(workerCount, { SINK_DELAY_MS: String(delayMs), WORKER_CONCURRENCY: '50' });
  const cpu = new CpuMeter(() => workers.map((w) => w.pid)).start();
  const started = performance.now();
  await queue.resume();
  let remaining = jobs;
  while (performance.now() - started < duration * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    remaining = Object.values(counts).reduce((a, b) => a + b, 0);
    if (remaining === 0) break;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuPct = cpu.stop();
  const failed = await queue.getFailedCount();
  const rss = Math.max(...workers.map((w) => rssMb(w.pid)));
  await Promise.all(workers.map((w) => w.stop()));
  await queue.obliterate({ force: true });
  const label = delayMs > 0 ? `delivery: ${workerCount} worker${workerCount > 1 ? 's' : ''}, ${delayMs} ms sink` : 'delivery: 1 worker, instant sink';
  return { scenario: label, unit: 'jobs/s', rps: (jobs - remaining) / seconds, p50: NaN, p99: NaN, errors: failed, non2xx: 0, cpu: cpuPct, rssMb: rss };
}

async function enqueue(producer: DeliveryQueueService, jobs: number): Promise<void> {
  let next = 0;
  const one = async () => {
    while (next < jobs) {
      const n = next++;
      await producer.enqueue({
        deliveryId: `Dbench${n}`,
        challengeId: `bench-${Date.now()}-${n}`,
        projectId: 'Pbench',
        projectName: 'Bench',
        channel: 'email',
        purpose: 'signin',
        expiresAt: Date.now() + 300_000,
        to: `drain${n}@bench.test`,
        code: '123456',
      });
    }
  };
  await Promise.all(Array.from({ length: 100 }, one));
}

async function createProject(env: Record<string, string>): Promise<{ projectId: string; managementKey: string }> {
  const { spawnSync } = await import('node:child_process');
  const created = spawnSync(process.execPath, ['dist/cli.js', 'project', 'create', '--name', 'Bench'], { cwd: ROOT, env, encoding: 'utf8' });
  if (created.status !== 0) throw new Error(`project create failed: ${created.stderr}`);
  const { projectId, managementKey } = JSON.parse(created.stdout) as { projectId: string; managementKey: string };
  const sets = Object.entries(BENCH_PROJECT_SETTINGS).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  if (sets.length) {
    const updated = spawnSync(process.execPath, ['dist/cli.js', 'project', 'update', projectId, ...sets], { cwd: ROOT, env, encoding: 'utf8' });
    if (updated.status !== 0) throw new Error(`project update failed: ${updated.stderr}`);
  }
  return { projectId, managementKey };
}

function printTable(): void {
  const ceiling = rows.find((r) => r.scenario.startsWith('ceiling'))?.rps;
  const header = ['scenario', 'rate', 'unit', '× ceiling', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'server CPU %', 'RSS MB', 'note'];
  const body = rows.map((r) => [
    r.scenario,
    r.rps.toFixed(0),
    r.unit ?? '',
    ceiling && r.unit !== 'jobs/s' ? (r.rps / ceiling).toFixed(3) : '',
    Number.isNaN(r.p50) ? '' : r.p50.toFixed(1),
    Number.isNaN(r.p99) ? '' : r.p99.toFixed(1),
    String(r.errors),
    String(r.non2xx),
    r.cpu.toFixed(0),
    r.rssMb.toFixed(0),
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  process.stdout.write(`\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${body.map(line).join('\n')}\n`);
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

let failed = false;
// Ctrl-C still stops the servers and drops the database.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    void (async () => {
      for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
      process.exit(130);
    })();
  });
}
try {
  await main();
} catch (error) {
  failed = true;
  process.stderr.write(`[bench] failed: ${(error as Error).stack ?? String(error)}\n`);
} finally {
  for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  if (failed || opts['keep-logs'] || opts.profile) process.stderr.write(`[bench] server logs kept in ${logDir}\n`);
  else rmSync(logDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
