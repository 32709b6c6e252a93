// `npm run bench [-- options]`: starts the API and workers from dist/ against the local Redis and a fresh
// database, drives load and prints one table. Not a test; `--smoke` (2 s per scenario) runs in npm test.
//
// Options: --duration <s> (10), --connections <n> per API process (50), --db postgres|sqlite (postgres),
// --scenarios ceiling,send,send-2api,cycle,drain,drain-50ms,memory (all), --users <n> seeded users (10000),
// --memory-sends <n> (300000), --log-level <level> (info), --smoke, --keep-logs,
// --api-processes <n> (1): the send and cycle scenarios run against n API processes,
// --workers <w[,w…]> (1): worker processes of the cycle scenario, one row per count,
// --sink-workers <w[,w…]> (1,2,4): worker processes of the 50 ms sink rows, one row per count (repeat
//   counts to interleave them: 1,4,4,1); ratios are against the mean of the 1-worker rows,
// --peer: instead of the scenarios, this project as `npm start` runs it against better-auth's
//   email-OTP plugin (bench/peer-server.ts), send and full cycle, --rounds <n> (2) interleaved,
// --profile (the API and workers write V8 CPU profiles next to the kept logs; see bench/profile-summary.mjs),
// --node <path> of the Node binary that runs the servers (the bench's own),
// --node-flags="<flags>" for the API and worker processes (--max-old-space-size=128 --max-semi-space-size=16, as npm start runs them).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { SecretsService } from '../src/common/crypto/secrets.service.js';
import { AppConfig } from '../src/config/app-config.js';
import { DeliveryQueueService } from '../src/delivery/delivery-queue.service.js';
import { sinkKey } from '../src/delivery/providers/sink.provider.js';
import { QUEUE_PREFIX } from '../src/queue/queue.module.js';
import { freePort } from '../test/support/ports.js';
import { allocateRedisDb, createDatabase, type DbKind, PG_ADMIN_URL, REDIS_BASE } from '../test/support/stack.js';
import { type CycleTarget, ourTarget, peerTarget, runCycles } from './cycle.js';
import { type CpuProbe, cpuSeconds, logPath, pidProbe, RoleMeter, rssMb, ServerProcess } from './processes.js';

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
  recipientIpLimit: '1000000',
  recipientCooldownSeconds: '0',
  messageBudgetEmail: '100000000',
  loginIdWrongAttemptLimit: '1000000',
  loginIdIpWrongAttemptLimit: '1000000',
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
    'api-processes': { type: 'string', default: '1' },
    workers: { type: 'string', default: '1' },
    'sink-workers': { type: 'string', default: '1,2,4' },
    peer: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '3' },
    node: { type: 'string', default: process.execPath },
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
const apiProcesses = Number(opts['api-processes']);
const workerCounts = opts.workers.split(',').map(Number);
const sinkWorkerCounts = opts['sink-workers'].split(',').map(Number);
const rounds = smoke ? 1 : Number(opts.rounds);
const warmup = smoke ? 0 : Number(opts.warmup);
if (!(apiProcesses >= 1) || [...workerCounts, ...sinkWorkerCounts].some((n) => !(n >= 1)) || !(rounds >= 1)) {
  throw new Error('--api-processes, --workers, --sink-workers and --rounds take numbers ≥ 1');
}
if (opts.peer && db !== 'postgres') throw new Error('--peer runs on PostgreSQL');

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
  /** CPU of each role during the row, % of one core. */
  roles?: Record<string, number>;
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
  const pgAdmin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await pgAdmin.connect();
  cleanups.push(() => pgAdmin.end());

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const databaseUrl = await createDatabase(db, cleanups);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    // The sink provider is refused in production; `test` and `production` differ in nothing else here.
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    REDIS_URL: redisUrl,
    DATABASE_URL: databaseUrl,
    OTP_SECRET: BENCH_SECRET,
    EMAIL_PROVIDER: 'sink',
    LOG_LEVEL: opts['log-level'],
    RATE_LIMIT_GLOBAL_PER_IP: '100000000',
  };
  const config = AppConfig.fromEnvironment(env);
  const queue = new Queue('delivery', { connection: { url: redisUrl }, prefix: QUEUE_PREFIX });
  cleanups.push(() => queue.close());

  const servers: ServerProcess[] = [];
  const start = async (name: string, script: string, ready: RegExp, extraEnv: Record<string, string> = {}, nodeFlags = opts['node-flags'].split(' ').filter(Boolean)) => {
    const flags = [...nodeFlags];
    if (opts.profile) flags.push('--cpu-prof', '--cpu-prof-dir', join(logDir, 'profiles'), '--cpu-prof-name', `${name}-${servers.length}.cpuprofile`);
    const server = new ServerProcess(name, ROOT, [...flags, script], { ...env, ...extraEnv }, logPath(logDir, `${name}-${servers.length}`), opts.node);
    servers.push(server);
    cleanups.push(() => server.stop());
    await server.waitForOutput(ready);
    return server;
  };
  const startWorkers = (n: number, extraEnv: Record<string, string> = {}) =>
    Promise.all(Array.from({ length: n }, (_, i) => start(`worker${i}`, 'dist/worker.js', /Delivery worker running/, extraEnv)));
  /** CPU probes of PostgreSQL (the backends of the given databases and the server's own processes) and Redis. */
  const storeProbes = (databases: string[]): Record<string, CpuProbe> => (db === 'postgres' ? { pg: postgresProbe(pgAdmin, databases), redis: redisProbe(redis) } : { redis: redisProbe(redis) });
  const ourDatabase = new URL(databaseUrl).pathname.slice(1);

  const versions = (await import('node:child_process')).spawnSync(opts.node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  log(`machine: ${(await import('node:os')).cpus().length} CPUs, bench on node ${process.version}, servers on node ${versions}; db ${db}, ${connections} connections per API process, ${duration} s per row; ${loadAverage()}`);

  if (opts.peer) {
    await peerComparison({ env, baseUrl, redisUrl, start, storeProbes, ourDatabase });
    return;
  }

  if (scenarios.includes('ceiling')) {
    const barePort = await freePort();
    const bare = await start('bare', '.test-build/bench/bare-app.js', /bare app listening/, { PORT: String(barePort) });
    let i = 0;
    const result = await load(`http://127.0.0.1:${barePort}`, '/bench', {}, () => ({ loginId: `user${i++}@bench.test` }), { duration, probes: { api: pidProbe(() => [bare.pid]) } });
    rows.push(toRow('ceiling: bare NestJS+Fastify {}', result, [bare.pid]));
    await bare.stop();
  }

  const api = await start('api', 'dist/main.js', /API listening/);
  const apis = [{ server: api, url: baseUrl }];
  for (let n = 1; n < apiProcesses; n++) {
    const extraPort = await freePort();
    apis.push({ server: await start('api', 'dist/main.js', /API listening/, { PORT: String(extraPort) }), url: `http://127.0.0.1:${extraPort}` });
  }
  const apiPids = () => apis.map((a) => a.server.pid);
  const ofApis = apiProcesses > 1 ? `, ${apiProcesses} API processes` : '';
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
    const body = () => ({ loginId: `seed${i++ % userCount}@bench.test` });
    const meter = await new RoleMeter({ api: pidProbe(apiPids), ...storeProbes([ourDatabase]) }).start();
    const results = await Promise.all(apis.map((a) => load(a.url, '/v1/auth/otp/signin/email', { authorization: `Bearer ${bearer}` }, body, { duration })));
    const roles = await meter.stop();
    rows.push({ ...toRow(`send: sign-in over email${ofApis}`, parallel(results), apiPids()), ...withRoles(roles) });
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
    const meter = await new RoleMeter({ api: pidProbe(() => pids), ...storeProbes([ourDatabase]) }).start();
    const results = await Promise.all(
      [baseUrl, `http://127.0.0.1:${secondPort}`].map((url) => load(url, '/v1/auth/otp/signin/email', headers, body, { duration, connections: half })),
    );
    const roles = await meter.stop();
    rows.push({
      ...toRow('send: 2 API processes', parallel(results), pids),
      ...withRoles(roles),
      note: `${half} connections each; p50/p99 the higher of the two`,
    });
    await second.stop();
    await queue.obliterate({ force: true });
  }

  if (scenarios.includes('cycle')) {
    for (const count of workerCounts) {
      const workers = await startWorkers(count);
      const cycleTarget = () => ourTarget({ baseUrls: apis.map((a) => a.url), bearer, redisUrl, connections, sinkKey });
      // Fresh workers first compile their hot code: a short unmeasured cycle, so that the row is the
      // steady state whatever the number of workers (each worker sees 1/n of the jobs).
      if (warmup > 0) await runCycles(cycleTarget(), { connections: connections * apiProcesses, durationMs: warmup * 1000 });
      const meter = await new RoleMeter({ api: pidProbe(apiPids), worker: pidProbe(() => workers.map((w) => w.pid)), ...storeProbes([ourDatabase]) }).start();
      const result = await runCycles(cycleTarget(), { connections: connections * apiProcesses, durationMs: duration * 1000 });
      const roles = await meter.stop();
      const ofWorkers = count > 1 || workerCounts.length > 1 || apiProcesses > 1 ? `, ${apiProcesses} API + ${count} worker${count > 1 ? 's' : ''}` : '';
      rows.push({ scenario: `full cycle: signup-in → sink → verify${ofWorkers}`, unit: 'cycles/s', ...result, rssMb: rssMb(api.pid), ...withRoles(roles) });
      await Promise.all(workers.map((w) => w.stop()));
      await queue.obliterate({ force: true });
    }
  }

  const producer = new DeliveryQueueService(queue, new SecretsService(config), config);
  const drainProbes = storeProbes([ourDatabase]);
  if (scenarios.includes('drain')) rows.push(await drain(queue, producer, 1, 0, startWorkers, drainProbes));
  if (scenarios.includes('drain-50ms')) {
    const sinkRows = new Map<Row, number>();
    for (const n of sinkWorkerCounts) {
      const row = await drain(queue, producer, n, 50, startWorkers, drainProbes);
      rows.push(row);
      sinkRows.set(row, n);
    }
    // The machine's load drifts between rows: with repeated, interleaved counts the ratio is taken
    // against the mean of all the 1-worker rows rather than whichever ran first.
    const ones = [...sinkRows].filter(([, n]) => n === 1).map(([row]) => row.rps);
    const base = ones.reduce((a, b) => a + b, 0) / ones.length;
    for (const [row, n] of sinkRows) if (n > 1 && base > 0) row.note = `${(row.rps / base).toFixed(2)}× one worker`;
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
      const result = await load(baseUrl, '/v1/auth/otp/signin/email', { authorization: `Bearer ${bearer}` }, () => ({ loginId: `seed${i++ % userCount}@bench.test` }), { ...target, probes: { api: pidProbe(() => [api.pid]) } });
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
  log(`done; ${loadAverage()}`);
}

type Start = (name: string, script: string, ready: RegExp, extraEnv?: Record<string, string>, nodeFlags?: string[]) => Promise<ServerProcess>;

/**
 * This project as `npm start` runs it (API and worker in one process) against better-auth's email-OTP
 * plugin, each on a fresh PostgreSQL database, new addresses on every request: the send row (a code
 * for a new address) and the full cycle (code, read it, verify, session). Rows alternate between the
 * two, and every round reverses the order, so that whatever else the machine does hits both.
 */
async function peerComparison(context: {
  env: Record<string, string>;
  baseUrl: string;
  redisUrl: string;
  start: Start;
  storeProbes: (databases: string[]) => Record<string, CpuProbe>;
  ourDatabase: string;
}): Promise<void> {
  const { env, baseUrl, redisUrl, start, storeProbes, ourDatabase } = context;
  const ours = await start('api', 'dist/main.js', /API listening/, { RUN_WORKER: 'true' });
  const bearer = (await createProject(env)).projectId;
  const peerPort = await freePort();
  const peerDatabaseUrl = await createDatabase('postgres', cleanups);
  // Started as its documentation runs it: plain `node`, no flags.
  const peer = await start('peer', '.test-build/bench/peer-server.js', /peer listening/, { PORT: String(peerPort), DATABASE_URL: peerDatabaseUrl, BETTER_AUTH_SECRET: BENCH_SECRET }, []);
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const peerDatabase = new URL(peerDatabaseUrl).pathname.slice(1);

  const run = Date.now().toString(36);
  let n = 0;
  const fresh = (side: string) => `${side}-${run}-${n++}@bench.test`;
  const sides = {
    ours: {
      label: 'this project (npm start)',
      pid: ours.pid,
      probes: () => ({ api: pidProbe(() => [ours.pid]), ...storeProbes([ourDatabase]) }),
      send: (target: { duration: number }) => load(baseUrl, '/v1/auth/otp/signup-in/email', { authorization: `Bearer ${bearer}` }, () => ({ loginId: fresh('ours') }), target),
      cycles: (): CycleTarget => ourTarget({ baseUrls: [baseUrl], bearer, redisUrl, connections, sinkKey }),
    },
    peer: {
      label: 'better-auth 1.7 email-OTP',
      pid: peer.pid,
      probes: () => ({ api: pidProbe(() => [peer.pid]), ...storeProbes([peerDatabase]) }),
      send: (target: { duration: number }) => load(peerUrl, '/api/auth/email-otp/send-verification-otp', {}, () => ({ email: fresh('peer'), type: 'sign-in' }), target),
      cycles: (): CycleTarget => peerTarget({ baseUrl: peerUrl, connections }),
    },
  };
  type Side = keyof typeof sides;

  if (!smoke) {
    log('warming both up (a short cycle each)');
    for (const side of ['ours', 'peer'] as Side[]) await runCycles(sides[side].cycles(), { connections, durationMs: 2000 });
  }
  // The smoke run only checks that both sides work; boots are most of its time.
  const seconds = smoke ? 1 : duration;
  const measured: Record<'send' | 'cycle', Record<Side, Row[]>> = { send: { ours: [], peer: [] }, cycle: { ours: [], peer: [] } };
  for (let round = 0; round < rounds; round++) {
    const order: Side[] = round % 2 === 0 ? ['ours', 'peer'] : ['peer', 'ours'];
    for (const side of order) {
      const s = sides[side];
      const meter = await new RoleMeter(s.probes()).start();
      const result = await s.send({ duration: seconds });
      const row = { ...toRow(`peer send, round ${round + 1}: ${s.label}`, result, [s.pid]), ...withRoles(await meter.stop()) };
      measured.send[side].push(row);
      rows.push(row);
    }
    for (const side of order) {
      const s = sides[side];
      const meter = await new RoleMeter(s.probes()).start();
      const result = await runCycles(s.cycles(), { connections, durationMs: seconds * 1000 });
      const row: Row = { scenario: `peer full cycle, round ${round + 1}: ${s.label}`, unit: 'cycles/s', ...result, rssMb: rssMb(s.pid), ...withRoles(await meter.stop()) };
      measured.cycle[side].push(row);
      rows.push(row);
    }
  }
  printTable();

  const mean = (list: Row[], pick: (r: Row) => number) => list.reduce((sum, r) => sum + pick(r), 0) / list.length;
  // CPU per unit of all the side's processes (server, PostgreSQL, Redis): on a busy machine the rates
  // follow the scheduler's shares, this much less.
  const cpuPerUnit = (r: Row) => (ROLES.reduce((sum, role) => sum + (r.roles?.[role] ?? 0), 0) * 10) / r.rps;
  const summary = (['send', 'cycle'] as const).map((kind) => {
    const [o, p] = [measured[kind].ours, measured[kind].peer];
    const [or, pr] = [mean(o, (r) => r.rps), mean(p, (r) => r.rps)];
    return [
      kind === 'send' ? 'send: a code for a new address' : 'full cycle: code → read → verify → session',
      `${or.toFixed(0)} ${kind === 'send' ? 'req/s' : 'cycles/s'}`,
      `${pr.toFixed(0)}`,
      `${(or / pr).toFixed(2)}×`,
      `${mean(o, cpuPerUnit).toFixed(2)} / ${mean(p, cpuPerUnit).toFixed(2)}`,
      `${Math.max(...o.map((r) => r.p99)).toFixed(0)} / ${Math.max(...p.map((r) => r.p99)).toFixed(0)}`,
      `${String(o.reduce((s, r) => s + r.errors + r.non2xx, 0))} / ${String(p.reduce((s, r) => s + r.errors + r.non2xx, 0))}`,
    ];
  });
  printTable(['peer comparison', 'this project', 'better-auth', 'ratio', 'CPU ms per unit, all processes (ours / peer)', 'p99 ms (ours / peer)', 'errors + non-2xx (ours / peer)'], summary);
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
  /** CPU of the `api` probe during the load (when given), % of one core. */
  cpu: number;
  /** CPU of every probe, the load generator's included. */
  roles?: Record<string, number>;
}

/** autocannon against one POST route; `body()` makes every request different. */
async function load(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  body: () => unknown,
  target: { duration?: number; amount?: number; probes?: Record<string, CpuProbe>; connections?: number },
): Promise<LoadResult> {
  const meter = await new RoleMeter(target.probes ?? {}).start();
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
  const roles = await meter.stop();
  return {
    roles,
    cpu: roles.api ?? 0,
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

/** The row's CPU by role; "server CPU" is ours (API and workers), as before the stores were measured. */
function withRoles(roles: Record<string, number>): Pick<Row, 'cpu' | 'roles'> {
  return { cpu: (roles.api ?? 0) + (roles.worker ?? 0), roles };
}

/**
 * PostgreSQL's CPU for the given databases: their backends, and the server's own processes (WAL
 * writer, checkpointer…), which work for whoever writes. Other databases' backends (other users of a
 * shared server) are left out; on a dedicated server this is the postmaster and all its children.
 */
function postgresProbe(admin: pg.Client, databases: string[]): CpuProbe {
  return async () => {
    const { rows: backends } = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE (datname = ANY($1) OR datname IS NULL) AND pid <> pg_backend_pid()`,
      [databases],
    );
    return new Map(backends.map(({ pid }) => [String(pid), cpuSeconds(pid)]));
  };
}

/** Redis's own account of its CPU (INFO cpu: main and background threads), which works for a remote server too. */
function redisProbe(redis: Redis): CpuProbe {
  return async () => {
    const info = await redis.info('cpu');
    const field = (name: string) => Number(new RegExp(`^${name}:(\\S+)`, 'm').exec(info)?.[1] ?? 0);
    return new Map([['redis', field('used_cpu_sys') + field('used_cpu_user')]]);
  };
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
  storeProbes: Record<string, CpuProbe>,
): Promise<Row> {
  const perWorkerPerSecond = delayMs > 0 ? 1000 / delayMs * 50 : 12_000;
  const jobs = Math.ceil(perWorkerPerSecond * workerCount * duration * 1.2);
  await queue.pause();
  await enqueue(producer, jobs);
  const workers = await startWorkers(workerCount, { SINK_DELAY_MS: String(delayMs), WORKER_CONCURRENCY: '50' });
  const meter = await new RoleMeter({ worker: pidProbe(() => workers.map((w) => w.pid)), ...storeProbes }).start();
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
  const roles = await meter.stop();
  const failed = await queue.getFailedCount();
  const rss = Math.max(...workers.map((w) => rssMb(w.pid)));
  await Promise.all(workers.map((w) => w.stop()));
  await queue.obliterate({ force: true });
  const label = delayMs > 0 ? `delivery: ${workerCount} worker${workerCount > 1 ? 's' : ''}, ${delayMs} ms sink` : 'delivery: 1 worker, instant sink';
  return { scenario: label, unit: 'jobs/s', rps: (jobs - remaining) / seconds, p50: NaN, p99: NaN, errors: failed, non2xx: 0, rssMb: rss, ...withRoles(roles) };
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

const ROLES = ['api', 'worker', 'pg', 'redis'] as const;

/** CPU per unit of work (per request, cycle or job) of each role, in ms: `api 0.45 · pg 0.20 · redis 0.08`. */
function perUnit(row: Row): string {
  if (!row.roles || !(row.rps > 0)) return '';
  return ROLES.filter((role) => row.roles![role] !== undefined)
    .map((role) => `${role} ${((row.roles![role]! * 10) / row.rps).toFixed(2)}`)
    .join(' · ');
}

function printTable(
  header = ['scenario', 'rate', 'unit', '× ceiling', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'server CPU %', 'CPU ms per unit', 'load gen CPU %', 'RSS MB', 'note'],
  body?: string[][],
): void {
  const ceiling = rows.find((r) => r.scenario.startsWith('ceiling'))?.rps;
  body ??= rows.map((r) => [
    r.scenario,
    r.rps.toFixed(0),
    r.unit ?? '',
    ceiling && r.unit !== 'jobs/s' ? (r.rps / ceiling).toFixed(3) : '',
    Number.isNaN(r.p50) ? '' : r.p50.toFixed(1),
    Number.isNaN(r.p99) ? '' : r.p99.toFixed(1),
    String(r.errors),
    String(r.non2xx),
    r.cpu.toFixed(0),
    perUnit(r),
    r.roles?.bench === undefined ? '' : r.roles.bench.toFixed(0),
    r.rssMb.toFixed(0),
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  process.stdout.write(`\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${body.map(line).join('\n')}\n`);
}

/** On a shared machine the rates follow its load; every run says what it was at the start and the end. */
function loadAverage(): string {
  return `load average ${loadavg().map((l) => l.toFixed(2)).join(', ')}`;
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
