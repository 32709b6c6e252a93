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
  ) {
    const fd = openSync(logFile, 'a');
    this.child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', fd, fd] });
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

/** CPU used by a set of processes between start() and stop(), as a percentage of one core. */
export class CpuMeter {
  private startCpu = 0;
  private startedAt = 0;

  constructor(private readonly pids: () => number[]) {}

  start(): this {
    this.startCpu = this.total();
    this.startedAt = performance.now();
    return this;
  }

  stop(): number {
    const seconds = (performance.now() - this.startedAt) / 1000;
    return seconds > 0 ? ((this.total() - this.startCpu) / seconds) * 100 : 0;
  }

  private total(): number {
    return this.pids().reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  }
}

export function logPath(dir: string, name: string): string {
  return join(dir, `${name}.log`);
}
