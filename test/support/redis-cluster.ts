import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { freePort } from './ports.js';
import { eventually } from './stack.js';

/**
 * A throwaway Redis Cluster of `masters` nodes on loopback ports (no replicas, no persistence), made of
 * real `redis-server --cluster-enabled yes` processes that this class starts and stops by PID.
 */
export class RedisClusterFixture {
  readonly ports: number[] = [];
  private readonly nodes: ChildProcess[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'otp-cluster-'));

  /** `host:port,...`, the value of REDIS_CLUSTER_NODES. */
  get nodesList(): string {
    return this.ports.map((p) => `127.0.0.1:${p}`).join(',');
  }

  async start(masters = 3): Promise<this> {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      const node = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', join(this.dir, `nodes-${port}.conf`),
          '--dir', this.dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
        { stdio: 'ignore' },
      );
      this.ports.push(port);
      this.nodes.push(node);
    }
    for (const port of this.ports) {
      await eventually(() => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG', 10_000, `redis-server on ${port}`);
    }
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...this.ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], {
      encoding: 'utf8',
    });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.stdout}\n${created.stderr}`);
    for (const port of this.ports) {
      await eventually(
        () => /cluster_state:ok/.test(spawnSync('redis-cli', ['-p', String(port), 'cluster', 'info'], { encoding: 'utf8' }).stdout),
        15_000,
        `cluster_state:ok on ${port}`,
      );
    }
    return this;
  }

  client(): Cluster {
    return new Cluster(this.ports.map((port) => ({ host: '127.0.0.1', port })));
  }

  /** The keys held by the node on `port`. */
  keysOn(port: number): string[] {
    return spawnSync('redis-cli', ['-p', String(port), '--scan'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  }

  /** Every key of the cluster, read node by node. */
  keys(): string[] {
    return this.ports.flatMap((port) => this.keysOn(port));
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.nodes.map(
        (node) =>
          new Promise<void>((resolve) => {
            if (node.exitCode !== null || node.signalCode !== null) return resolve();
            node.once('exit', () => resolve());
            node.kill('SIGTERM');
          }),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}
