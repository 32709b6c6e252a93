import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';
import { ManagedProcess, sleep } from './process.js';

/**
 * A redis-server of the test's own, on its own port, that the test may stop and start again
 * (the shared Redis on 6379 is never touched). Stopped by its PID only.
 */
export class OwnRedis {
  private process?: ManagedProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'otp-redis-'));

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  get running(): boolean {
    return this.process?.running ?? false;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process = new ManagedProcess(`redis-${this.port}`, child);
    await this.process.waitForOutput(/Ready to accept connections/);
  }

  async stop(): Promise<void> {
    await this.process?.stop('SIGTERM');
    this.process = undefined;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A private redis-server on a free loopback port, for tests that stop and restart Redis. Never the
 * shared one: other suites use it. No persistence, so a restart starts empty.
 */
export class PrivateRedis {
  process?: ManagedProcess;
  port = 0;

  async start(): Promise<this> {
    if (!this.port) this.port = await freePort();
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process = new ManagedProcess(`redis-${this.port}`, child);
    const client = new Redis({ port: this.port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
    client.on('error', () => {});
    for (let i = 0; ; i++) {
      try {
        await client.connect();
        await client.ping();
        break;
      } catch (error) {
        if (i > 50) throw error;
        await sleep(100);
      }
    }
    client.disconnect();
    return this;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  /** Stops this server (by its PID) and waits for it to exit. */
  async stop(): Promise<void> {
    await this.process?.stop('SIGTERM');
  }
}
