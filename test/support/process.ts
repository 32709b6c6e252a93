import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The repository root (this file runs from .test-build/test/support). */
export const ROOT = resolve(import.meta.dirname, '../../..');

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) a process has used so far, or one of its threads (`thread`, its task
 * ID; the main thread's is the process ID), from /proc (Linux). 0 once the process is gone.
 */
export function cpuSeconds(pid: number, thread?: number): number {
  try {
    const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3 of stat(5), utime 14 and stime 15.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * `npm run test:coverage` sets NODE_V8_COVERAGE; the processes we spawn get an environment of their
 * own, so it is passed on explicitly for their coverage to count.
 */
export const coverageEnv = (): Record<string, string> => (process.env.NODE_V8_COVERAGE ? { NODE_V8_COVERAGE: process.env.NODE_V8_COVERAGE } : {});

/**
 * A spawned process of ours (API, worker, a fake) with its output captured: in memory, or in a file
 * when given one (the bench's servers log a lot under load, and a pipe would cost the bench memory).
 */
export class ManagedProcess {
  private buffered = '';
  private readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly logFile?: string,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.buffered += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.buffered += d.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Everything the process printed so far. */
  get output(): string {
    return this.logFile ? readFileSync(this.logFile, 'utf8') : this.buffered;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async waitForOutput(pattern: RegExp, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (!this.running) throw new Error(`${this.name} exited before printing ${pattern}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms:\n${this.output}`);
      await sleep(50);
    }
  }

  /** Stops the process by its PID and waits for it to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<number | null> {
    if (this.running) this.child.kill(signal);
    const timer = setTimeout(() => this.running && this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  wait(): Promise<number | null> {
    return this.exited;
  }
}

export interface SpawnNodeOptions {
  /** Flags for Node before the script (`--cpu-prof`, heap limits). */
  nodeFlags?: string[];
  /** The Node binary (default: the one running this). */
  node?: string;
  /** Send the output to this file instead of memory. */
  logFile?: string;
}

/** Runs `node [flags] <script>` from the repository root with exactly `env` (plus coverage when measured). */
export function spawnNode(name: string, script: string, env: Record<string, string>, options: SpawnNodeOptions = {}): ManagedProcess {
  const args = [...(options.nodeFlags ?? []), script];
  const spawnEnv = { ...env, ...coverageEnv() };
  if (!options.logFile) return new ManagedProcess(name, spawn(options.node ?? process.execPath, args, { cwd: ROOT, env: spawnEnv, stdio: ['ignore', 'pipe', 'pipe'] }));
  const fd = openSync(options.logFile, 'a');
  try {
    return new ManagedProcess(name, spawn(options.node ?? process.execPath, args, { cwd: ROOT, env: spawnEnv, stdio: ['ignore', fd, fd] }), options.logFile);
  } finally {
    closeSync(fd);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
