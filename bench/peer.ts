import { sinkKey } from '../src/delivery/providers/sink/sink.provider.js';
import { freePort } from '../test/support/ports.js';
import type { CreatedProject } from '../test/support/projects.js';
import { createDatabase } from '../test/support/stack.js';
import { BENCH_SECRET } from './bench-project.js';
import { type BenchContext, cleanups } from './context.js';
import { type CycleTarget, ourTarget, peerTarget, runCycles } from './cycle.js';
import { load } from './load.js';
import { pidProbe, RoleMeter, rssMb } from './meter.js';
import { connections, duration, rounds, smoke } from './options.js';
import { log, printTable, ROLES, type Row, rows, toRow, withRoles } from './report.js';

/**
 * This project as `npm start` runs it (API and worker in one process) against better-auth's email-OTP
 * plugin, each on a fresh PostgreSQL database, new addresses on every request: the send row (a code
 * for a new address) and the full cycle (code, read it, verify, session). Rows alternate between the
 * two, and every round reverses the order, so that whatever else the machine does hits both.
 */
export async function peerComparison(context: BenchContext, createProject: () => Promise<CreatedProject>): Promise<void> {
  const { baseUrl, redisUrl, ourDatabase } = context;
  const storeProbes = (databases: string[]) => context.storeProbes(databases);
  const ours = await context.start('api', 'dist/main.js', /API listening/, { RUN_WORKER: 'true' });
  const bearer = (await createProject()).projectId;
  const peerPort = await freePort();
  const peerDatabaseUrl = await createDatabase('postgres', cleanups);
  // Started as its documentation runs it: plain `node`, no flags.
  const peer = await context.start('peer', '.test-build/bench/peer-server.js', /peer listening/, { PORT: String(peerPort), DATABASE_URL: peerDatabaseUrl, BETTER_AUTH_SECRET: BENCH_SECRET }, []);
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
      send: (target: { duration?: number; amount?: number }) => load(baseUrl, '/v1/auth/otp/signup-in/email', { authorization: `Bearer ${bearer}` }, () => ({ loginId: fresh('ours') }), target),
      cycles: (): CycleTarget => ourTarget({ baseUrls: [baseUrl], bearer, redisUrl, connections, sinkKey }),
    },
    peer: {
      label: 'better-auth 1.7 email-OTP',
      pid: peer.pid,
      probes: () => ({ api: pidProbe(() => [peer.pid]), ...storeProbes([peerDatabase]) }),
      send: (target: { duration?: number; amount?: number }) => load(peerUrl, '/api/auth/email-otp/send-verification-otp', {}, () => ({ email: fresh('peer'), type: 'sign-in' }), target),
      cycles: (): CycleTarget => peerTarget({ baseUrl: peerUrl, connections }),
    },
  };
  type Side = keyof typeof sides;

  if (!smoke) {
    log('warming both up (a short cycle each)');
    for (const side of ['ours', 'peer'] as Side[]) await runCycles(sides[side].cycles(), { connections, durationMs: 2000 });
  }
  // The smoke run only checks that both sides work; boots are most of its time. Its sends are a count,
  // not a second: on a busy machine a cold server may finish no request within one second.
  const seconds = smoke ? 1 : duration;
  const sendTarget = smoke ? { amount: connections } : { duration };
  const measured: Record<'send' | 'cycle', Record<Side, Row[]>> = { send: { ours: [], peer: [] }, cycle: { ours: [], peer: [] } };
  for (let round = 0; round < rounds; round++) {
    const order: Side[] = round % 2 === 0 ? ['ours', 'peer'] : ['peer', 'ours'];
    for (const side of order) {
      const s = sides[side];
      const meter = await new RoleMeter(s.probes()).start();
      const result = await s.send(sendTarget);
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

