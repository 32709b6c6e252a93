import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A server process of the benchmark, its output going to a file (a pipe would cost the bench memory). */
export class ServerProcess {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    cwd: string,
    args: string[],
    env: Record<string, string>,
    readonly logFile: string,
    node = process.execPath,
  ) {
    const fd = openSync(logFile, 'a');
    this.child = spawn(node, args, { cwd, env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return readFileSync(this.logFile, 'utf8');
  }

  async waitForOutput(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output())) {
      if (!this.running) throw new Error(`${this.name} exited before printing ${pattern}:\n${this.output().slice(-4000)}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Stops the process by its PID. */
  async stop(): Promise<void> {
    if (this.running) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.running && this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3 of stat(5), utime 14 and stime 15.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

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

export function logPath(dir: string, name: string): string {
  return join(dir, `${name}.log`);
}
