import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';
import { ManagedProcess, sleep } from './process.js';

const BIN = '/usr/lib/postgresql/15/bin';

/**
 * A private PostgreSQL server (its own data directory and port) for tests that stop and restart the
 * database. Never the shared one. initdb refuses root, so it runs as the postgres user when we are root.
 */
export class PrivatePostgres {
  process?: ManagedProcess;
  port = 0;
  private dir = '';

  async start(): Promise<this> {
    const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
    if (!this.dir) {
      this.dir = mkdtempSync(join(tmpdir(), 'otp-pg-'));
      if (asPostgres.length) chownSync(this.dir, Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim()), 0);
      const init = spawnSync(asPostgres[0] ?? `${BIN}/initdb`, [...asPostgres.slice(1), ...(asPostgres.length ? [`${BIN}/initdb`] : []), '-D', join(this.dir, 'data'), '-A', 'trust', '-U', 'postgres'], { encoding: 'utf8' });
      if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
      this.port = await freePort();
    }
    const args = ['-D', join(this.dir, 'data'), '-p', String(this.port), '-k', this.dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'];
    const command = asPostgres.length ? [...asPostgres.slice(1), `${BIN}/postgres`, ...args] : args;
    this.process = new ManagedProcess(`postgres-${this.port}`, spawn(asPostgres[0] ?? `${BIN}/postgres`, command, { stdio: ['ignore', 'pipe', 'pipe'] }));
    for (let i = 0; ; i++) {
      const client = new pg.Client({ connectionString: this.adminUrl });
      try {
        await client.connect();
        await client.end();
        break;
      } catch (error) {
        await client.end().catch(() => {});
        if (i > 100) throw error;
        await sleep(100);
      }
    }
    return this;
  }

  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /**
   * Fast shutdown of this server's postmaster, by the PID in its own postmaster.pid (runuser stays
   * as its parent): connections are cut, as when a database host goes away.
   */
  async stop(): Promise<void> {
    const pidFile = join(this.dir, 'data', 'postmaster.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGINT');
    }
    await this.process?.wait();
    for (let i = 0; existsSync(pidFile) && i < 100; i++) await sleep(100);
  }

  async destroy(): Promise<void> {
    await this.stop();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
