import { sinkKey } from '../src/delivery/providers/sink/sink.provider.js';
import { freePort } from '../test/support/ports.js';
import type { ManagedProcess } from '../test/support/process.js';
import type { CreatedProject } from '../test/support/projects.js';
import type { BenchContext } from './context.js';
import { ourTarget, runCycles } from './cycle.js';
import { type LoadResult, load, merge, parallel } from './load.js';
import { heapMb, pidProbe, RoleMeter, rssMb } from './meter.js';
import { apiProcesses, connections, duration, memorySends, smoke, userCount, warmup, workerCounts } from './options.js';
import { rows, toRow, withRoles } from './report.js';

/** The API processes of a run and the project they serve. */
export interface Apis {
  list: { server: ManagedProcess; url: string }[];
  project: CreatedProject;
}

const pidsOf = (apis: Apis) => () => apis.list.map((a) => a.server.pid);
const ofApis = () => (apiProcesses > 1 ? `, ${apiProcesses} API processes` : '');
const signIn = (apis: Apis) => ({ authorization: `Bearer ${apis.project.projectId}` });
const seeded = () => {
  let i = 0;
  return () => ({ loginId: `seed${i++ % userCount}@bench.test` });
};

/** NestJS on Fastify with the product's validation pipe and nothing else: what the product's work costs beyond. */
export async function ceiling(context: BenchContext): Promise<void> {
  const barePort = await freePort();
  const bare = await context.start('bare', '.test-build/bench/bare-app.js', /bare app listening/, { PORT: String(barePort) });
  let i = 0;
  const result = await load(`http://127.0.0.1:${barePort}`, '/bench', {}, () => ({ loginId: `user${i++}@bench.test` }), { duration, probes: { api: pidProbe(() => [bare.pid]) } });
  rows.push(toRow('ceiling: bare NestJS+Fastify {}', result, [bare.pid]));
  await bare.stop();
}

/** Users for the sign-in scenarios, through the management API: a sign-up creates its user only when its code is verified. */
export async function seedUsers(context: BenchContext, apis: Apis): Promise<void> {
  let n = 0;
  const seed = await load(
    context.baseUrl,
    '/v1/mgmt/user/create',
    { authorization: `Bearer ${apis.project.projectId}:${apis.project.managementKey}` },
    () => {
      const loginId = `seed${n++}@bench.test`;
      return { loginId, email: loginId, verifiedEmail: true };
    },
    { amount: userCount },
  );
  if (seed.non2xx || seed.errors) throw new Error(`seeding failed: ${seed.non2xx} non-2xx, ${seed.errors} errors`);
}

export async function send(context: BenchContext, apis: Apis): Promise<void> {
  const body = seeded();
  const meter = await new RoleMeter({ api: pidProbe(pidsOf(apis)), ...context.storeProbes() }).start();
  const results = await Promise.all(apis.list.map((a) => load(a.url, '/v1/auth/otp/signin/email', signIn(apis), body, { duration })));
  const roles = await meter.stop();
  rows.push({ ...toRow(`send: sign-in over email${ofApis()}`, parallel(results), pidsOf(apis)()), ...withRoles(roles) });
}

/**
 * Scale-out on one machine: a second API process on its own port, as behind a load balancer; the
 * connections are split between the two.
 */
export async function sendTwoApis(context: BenchContext, apis: Apis): Promise<void> {
  const secondPort = await freePort();
  const second = await context.start('api', 'dist/main.js', /API listening/, { PORT: String(secondPort) });
  const body = seeded();
  const pids = [apis.list[0]!.server.pid, second.pid];
  const half = Math.max(1, Math.floor(connections / 2));
  const meter = await new RoleMeter({ api: pidProbe(() => pids), ...context.storeProbes() }).start();
  const results = await Promise.all([context.baseUrl, `http://127.0.0.1:${secondPort}`].map((url) => load(url, '/v1/auth/otp/signin/email', signIn(apis), body, { duration, connections: half })));
  const roles = await meter.stop();
  rows.push({ ...toRow('send: 2 API processes', parallel(results), pids), ...withRoles(roles), note: `${half} connections each; p50/p99 the higher of the two` });
  await second.stop();
}

/** Sign-up-or-in, the code read from the sink, verify: one row per worker count. `after` runs after each row. */
export async function cycle(context: BenchContext, apis: Apis, after: () => Promise<void>): Promise<void> {
  for (const count of workerCounts) {
    const workers = await context.startWorkers(count);
    const cycleTarget = () => ourTarget({ baseUrls: apis.list.map((a) => a.url), bearer: apis.project.projectId, redisUrl: context.redisUrl, connections, sinkKey });
    // Fresh workers first compile their hot code: a short unmeasured cycle, so that the row is the
    // steady state whatever the number of workers (each worker sees 1/n of the jobs).
    if (warmup > 0) await runCycles(cycleTarget(), { connections: connections * apiProcesses, durationMs: warmup * 1000 });
    const meter = await new RoleMeter({ api: pidProbe(pidsOf(apis)), worker: pidProbe(() => workers.map((w) => w.pid)), ...context.storeProbes() }).start();
    const result = await runCycles(cycleTarget(), { connections: connections * apiProcesses, durationMs: duration * 1000 });
    const roles = await meter.stop();
    const ofWorkers = count > 1 || workerCounts.length > 1 || apiProcesses > 1 ? `, ${apiProcesses} API + ${count} worker${count > 1 ? 's' : ''}` : '';
    rows.push({ scenario: `full cycle: signup-in → sink → verify${ofWorkers}`, unit: 'cycles/s', ...result, rssMb: rssMb(apis.list[0]!.server.pid), ...withRoles(roles) });
    await Promise.all(workers.map((w) => w.stop()));
    await after();
  }
}

/** Sign-in sends in three parts, the API's RSS and heap after each. */
export async function memory(context: BenchContext, apis: Apis): Promise<void> {
  const api = apis.list[0]!.server;
  const workers = await context.startWorkers(1);
  const parts = 3;
  const rssAfter: number[] = [];
  const heapAfter: string[] = [];
  const body = seeded();
  let total: LoadResult | undefined;
  for (let part = 0; part < parts; part++) {
    const target = smoke ? { duration: duration / parts } : { amount: Math.ceil(memorySends / parts) };
    const result = await load(context.baseUrl, '/v1/auth/otp/signin/email', signIn(apis), body, { ...target, probes: { api: pidProbe(() => [api.pid]) } });
    total = total ? merge(total, result) : result;
    rssAfter.push(rssMb(api.pid));
    heapAfter.push(await heapMb(context.baseUrl));
  }
  const row = toRow(`memory: ${total!.requests} sends`, total!, [api.pid]);
  row.note = `API RSS after each third: ${rssAfter.map((r) => r.toFixed(0)).join(' / ')} MB; V8 heap used/total, external: ${heapAfter.join(' / ')}`;
  rows.push(row);
  await Promise.all(workers.map((w) => w.stop()));
}
