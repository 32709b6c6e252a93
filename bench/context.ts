import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { type ManagedProcess, spawnNode } from '../test/support/process.js';
import { type CpuProbe, postgresProbe, redisProbe } from './meter.js';
import { db, opts } from './options.js';

/** Cleanups, run in reverse order at the end (or on Ctrl-C). */
export const cleanups: (() => Promise<void> | void)[] = [];

/** What the scenarios share: the servers' environment and how to start and measure them. */
export class BenchContext {
  private started = 0;

  constructor(
    readonly env: Record<string, string>,
    readonly baseUrl: string,
    readonly redisUrl: string,
    readonly ourDatabase: string,
    private readonly logDir: string,
    private readonly redis: Redis,
    private readonly pgAdmin: pg.Client,
  ) {}

  /** Starts `node <flags> <script>`, its output in a log file of the run, and waits for `ready`. */
  async start(name: string, script: string, ready: RegExp, extraEnv: Record<string, string> = {}, nodeFlags = opts['node-flags'].split(' ').filter(Boolean)): Promise<ManagedProcess> {
    const n = this.started++;
    const flags = [...nodeFlags];
    if (opts.profile) flags.push('--cpu-prof', '--cpu-prof-dir', join(this.logDir, 'profiles'), '--cpu-prof-name', `${name}-${n}.cpuprofile`);
    const server = spawnNode(name, script, { ...this.env, ...extraEnv }, { nodeFlags: flags, node: opts.node, logFile: join(this.logDir, `${name}-${n}.log`) });
    cleanups.push(() => server.stop().then(() => undefined));
    await server.waitForOutput(ready, 30_000);
    return server;
  }

  startWorkers(n: number, extraEnv: Record<string, string> = {}): Promise<ManagedProcess[]> {
    return Promise.all(Array.from({ length: n }, (_, i) => this.start(`worker${i}`, 'dist/worker.js', /Delivery worker running/, extraEnv)));
  }

  /** CPU probes of PostgreSQL (the backends of the given databases and the server's own processes) and Redis. */
  storeProbes(databases: string[] = [this.ourDatabase]): Record<string, CpuProbe> {
    return db === 'postgres' ? { pg: postgresProbe(this.pgAdmin, databases), redis: redisProbe(this.redis) } : { redis: redisProbe(this.redis) };
  }
}
