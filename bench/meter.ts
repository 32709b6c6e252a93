import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { cpuSeconds } from '../test/support/process.js';

/** Resident memory of a process in MB, from /proc/<pid>/status. */
export function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds used so far by each of a set of things (processes, a server), by a key of its own. */
export type CpuProbe = () => Promise<Map<string, number>>;

/** The processes' CPU from /proc. */
export function pidProbe(pids: () => number[]): CpuProbe {
  return () => Promise.resolve(new Map(pids().map((pid) => [String(pid), cpuSeconds(pid)])));
}

/** The bench's own process: the load generator, which must not be the bottleneck. */
const benchProbe: CpuProbe = () => {
  const { user, system } = process.cpuUsage();
  return Promise.resolve(new Map([['self', (user + system) / 1e6]]));
};

/**
 * PostgreSQL's CPU for the given databases: their backends, and the server's own processes (WAL
 * writer, checkpointer…), which work for whoever writes. Other databases' backends (other users of a
 * shared server) are left out; on a dedicated server this is the postmaster and all its children.
 */
export function postgresProbe(admin: pg.Client, databases: string[]): CpuProbe {
  return async () => {
    const { rows: backends } = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE (datname = ANY($1) OR datname IS NULL) AND pid <> pg_backend_pid()`,
      [databases],
    );
    return new Map(backends.map(({ pid }) => [String(pid), cpuSeconds(pid)]));
  };
}

/** Redis's own account of its CPU (INFO cpu: main and background threads), which works for a remote server too. */
export function redisProbe(redis: Redis): CpuProbe {
  return async () => {
    const info = await redis.info('cpu');
    const field = (name: string) => Number(new RegExp(`^${name}:(\\S+)`, 'm').exec(info)?.[1] ?? 0);
    return new Map([['redis', field('used_cpu_sys') + field('used_cpu_user')]]);
  };
}

/**
 * CPU used by each role (API, worker, PostgreSQL, Redis, and `bench`, the load generator) between
 * start() and stop(), as a percentage of one core. A process that appears during the measure (a
 * pool's new connection) counts from zero.
 */
export class RoleMeter {
  private startCpu = new Map<string, Map<string, number>>();
  private startedAt = 0;
  private readonly probes: Record<string, CpuProbe>;

  constructor(probes: Record<string, CpuProbe>) {
    this.probes = { ...probes, bench: benchProbe };
  }

  async start(): Promise<this> {
    this.startCpu = await this.read();
    this.startedAt = performance.now();
    return this;
  }

  async stop(): Promise<Record<string, number>> {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const now = await this.read();
    const percent: Record<string, number> = {};
    for (const [role, cpu] of now) {
      const before = this.startCpu.get(role);
      let used = 0;
      for (const [key, value] of cpu) used += value - (before?.get(key) ?? 0);
      percent[role] = seconds > 0 ? (used / seconds) * 100 : 0;
    }
    return percent;
  }

  private async read(): Promise<Map<string, Map<string, number>>> {
    const entries = await Promise.all(Object.entries(this.probes).map(async ([role, probe]) => [role, await probe()] as const));
    return new Map(entries);
  }
}

/** The API's V8 heap (used/total) and external memory in MB, from its own /metrics. */
export async function heapMb(baseUrl: string): Promise<string> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const mb = (name: string) => (Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 1e6).toFixed(0);
  return `${mb('nodejs_heap_size_used_bytes')}/${mb('nodejs_heap_size_total_bytes')}, ${mb('nodejs_external_memory_bytes')}`;
}
