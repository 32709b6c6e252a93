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
//
// Files: options.ts (the flags), context.ts (starting and measuring servers), scenarios.ts, drain.ts and
// peer.ts (the rows), load.ts (autocannon), meter.ts (CPU and memory), report.ts (the table).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { freePort } from '../test/support/ports.js';
import { PrivateRedis } from '../test/support/redis-server.js';
import { allocateRedisDb, createDatabase, PG_ADMIN_URL, REDIS_BASE } from '../test/support/stack.js';
import { BENCH_SECRET, createBenchProject } from './bench-project.js';
import { BenchContext, cleanups } from './context.js';
import { drain } from './drain.js';
import { apiProcesses, connections, db, duration, opts, scenarios, sinkWorkerCounts, userCount } from './options.js';
import { peerComparison } from './peer.js';
import { DeliveryProducer } from './producer.js';
import { log, printTable, type Row, rows } from './report.js';
import { type Apis, ceiling, cycle, memory, seedUsers, send, sendTwoApis } from './scenarios.js';

const logDir = mkdtempSync(join(tmpdir(), 'otp-bench-'));

async function main(): Promise<void> {
  // A redis-server of the bench's own unless TEST_REDIS_URL names one, as for the tests: nothing on a
  // developer's Redis is flushed, and Redis's CPU figures count the bench's traffic alone.
  let redisUrl: string;
  if (process.env.TEST_REDIS_URL) redisUrl = `${REDIS_BASE}/${await allocateRedisDb()}`;
  else {
    const own = await new PrivateRedis().start();
    cleanups.push(() => own.stop());
    redisUrl = own.url;
  }
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
  const context = new BenchContext(env, baseUrl, redisUrl, new URL(databaseUrl).pathname.slice(1), logDir, redis, pgAdmin);

  const versions = spawnSync(opts.node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  log(`machine: ${cpus().length} CPUs, bench on node ${process.version}, servers on node ${versions}; db ${db}, ${connections} connections per API process, ${duration} s per row; ${loadAverage()}`);

  if (opts.peer) {
    await peerComparison(context, () => createBenchProject(env));
    return;
  }

  if (scenarios.includes('ceiling')) await ceiling(context);

  const list = [{ server: await context.start('api', 'dist/main.js', /API listening/), url: baseUrl }];
  for (let n = 1; n < apiProcesses; n++) {
    const extraPort = await freePort();
    list.push({ server: await context.start('api', 'dist/main.js', /API listening/, { PORT: String(extraPort) }), url: `http://127.0.0.1:${extraPort}` });
  }
  const apis: Apis = { list, project: await createBenchProject(env) };
  const delivery = await DeliveryProducer.start(env);
  cleanups.push(() => delivery.close());
  const emptyQueue = () => delivery.queue.obliterate({ force: true });

  if (scenarios.includes('send') || scenarios.includes('send-2api') || scenarios.includes('memory')) {
    log(`seeding ${userCount} users through the management API`);
    await seedUsers(context, apis);
    await emptyQueue();
  }
  if (scenarios.includes('send')) {
    await send(context, apis);
    await emptyQueue();
  }
  if (scenarios.includes('send-2api')) {
    await sendTwoApis(context, apis);
    await emptyQueue();
  }
  if (scenarios.includes('cycle')) await cycle(context, apis, emptyQueue);
  if (scenarios.includes('drain')) rows.push(await drain(context, delivery, 1, 0));
  if (scenarios.includes('drain-50ms')) {
    const sinkRows = new Map<Row, number>();
    for (const n of sinkWorkerCounts) {
      const row = await drain(context, delivery, n, 50);
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
    await memory(context, apis);
    await emptyQueue();
  }
  printTable();
  log(`done; ${loadAverage()}`);
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

/** On a shared machine the rates follow its load; every run says what it was at the start and the end. */
function loadAverage(): string {
  return `load average ${loadavg().map((l) => l.toFixed(2)).join(', ')}`;
}
