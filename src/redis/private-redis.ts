import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Writable } from 'node:stream';

/**
 * Runs `redis-server` on a free loopback port for the quick start. A small shell owns the server and
 * waits on a pipe from this process: the pipe closes when this process ends, however it ends (even
 * SIGKILL), and the shell then stops the server. Its own process group keeps a terminal's Ctrl-C
 * from reaching Redis before the API has closed its connections.
 */
export async function startPrivateRedis(dataDir: string): Promise<{ url: string } | { missing: true }> {
  mkdirSync(dataDir, { recursive: true });
  const port = await freeLoopbackPort();
  const script = 'command -v redis-server >/dev/null 2>&1 || exit 127; redis-server "$@" & server=$!; read -r _; kill "$server"; wait "$server"';
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--save', '60 1', '--appendonly', 'no', '--loglevel', 'warning'];
  const child = spawn('/bin/sh', ['-c', script, 'private-redis', ...args], { stdio: ['pipe', 'ignore', 'inherit'], detached: true });
  child.on('error', () => undefined);
  child.stdin!.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.unref();
  (child.stdin as Writable & { unref?: () => void }).unref?.();
  const early = await Promise.race([exited, new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 300))]);
  if (early === 127) return { missing: true };
  return { url: `redis://127.0.0.1:${port}` };
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
