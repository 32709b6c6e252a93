import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { freePort } from './ports.js';
import { coverageEnv, ManagedProcess, ROOT, sleep, spawnNode } from './process.js';
import { type CreatedProject, ProjectFactory } from './projects.js';

export { coverageEnv, ManagedProcess, ROOT, sleep, spawnNode };

export type DbKind = 'sqlite' | 'postgres';

export const REDIS_BASE = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Boot can take well over 15 s on a shared 2-core machine under parallel suites. */
const BOOT_TIMEOUT_MS = 45_000;
export const TEST_SECRET = 'e2e-test-secret-0123456789abcdef0123456789abcdef';
/** A secret as production accepts it (32 random bytes or more, base64): NODE_ENV=production refuses TEST_SECRET. */
export const productionSecret = (): string => randomBytes(48).toString('base64');

export interface StackOptions {
  db?: DbKind;
  /** Extra environment for the API and the workers. */
  env?: Record<string, string>;
  /** Number of separate worker processes to start (default 1). */
  workers?: number;
  /** A Redis server of the test's own (e.g. one it stops and restarts) instead of the shared one. */
  redisUrl?: string;
}

/**
 * Limits that createProject sets unless told otherwise, so that suites about other things can send
 * as often as they like; the abuse suites pass `{ productionLimits: true }` and their own numbers.
 */
export const RELAXED_LIMITS: Record<string, number> = {
  ipSendLimit: 1_000_000,
  ipVerifyLimit: 1_000_000,
  recipientCooldownSeconds: 0,
  recipientLimit: 1_000_000,
  recipientIpLimit: 1_000_000,
  loginIdWrongAttemptLimit: 1_000_000,
  loginIdIpWrongAttemptLimit: 1_000_000,
  prefixRecipientLimit: 1_000_000,
};

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/**
 * The real product, booted the way an operator runs it: `node dist/main.js` and `node dist/worker.js`
 * against the real Redis (a database index of its own) and a fresh SQLite file or PostgreSQL
 * database. Nothing of ours is faked.
 */
export class Stack {
  api!: ManagedProcess;
  readonly workers: ManagedProcess[] = [];
  /** More API processes on the same Redis and database (startExtraApi). */
  readonly extraApis: { process: ManagedProcess; baseUrl: string }[] = [];
  env: Record<string, string> = {};
  baseUrl = '';
  redis!: Redis;
  private cleanups: (() => Promise<void> | void)[] = [];
  private projects?: ProjectFactory;

  static async start(options: StackOptions = {}): Promise<Stack> {
    const stack = new Stack();
    try {
      await stack.boot(options);
    } catch (error) {
      // A half-booted stack must not leave its processes and Redis connection behind: they keep
      // the test file's process alive and the whole run hangs.
      await stack.stop().catch(() => undefined);
      throw error;
    }
    return stack;
  }

  private async boot({ db = 'sqlite', env = {}, workers = 1, redisUrl: ownRedis }: StackOptions): Promise<void> {
    const redisUrl = ownRedis ?? `${REDIS_BASE}/${await allocateRedisDb()}`;
    this.redis = new Redis(redisUrl);
    // A test may stop its own Redis on purpose; the reconnect errors are expected then.
    this.redis.on('error', () => undefined);
    await this.redis.flushdb();
    this.cleanups.push(async () => {
      await this.redis.flushdb();
      this.redis.disconnect();
    });

    // A test that must know the API's URL before boot (PUBLIC_URL) picks the port itself.
    const port = env.PORT ? Number(env.PORT) : await freePort();
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL: redisUrl,
      DATABASE_URL: await createDatabase(db, this.cleanups),
      OTP_SECRET: TEST_SECRET,
      EMAIL_PROVIDER: 'console',
      LOG_LEVEL: 'info',
      RATE_LIMIT_GLOBAL_PER_IP: '1000000',
      ...coverageEnv(),
      ...env,
    };
    await this.startApi();
    for (let i = 0; i < workers; i++) await this.startWorker();
  }

  async startApi(extraEnv: Record<string, string> = {}): Promise<ManagedProcess> {
    this.api = spawnNode('api', 'dist/main.js', { ...this.env, ...extraEnv });
    await this.api.waitForOutput(/API listening/, BOOT_TIMEOUT_MS);
    return this.api;
  }

  /** Starts one more API process on its own port, sharing this stack's Redis and database. */
  async startExtraApi(extraEnv: Record<string, string> = {}): Promise<{ process: ManagedProcess; baseUrl: string }> {
    const port = await freePort();
    const process = spawnNode(`api-${this.extraApis.length + 1}`, 'dist/main.js', { ...this.env, PORT: String(port), ...extraEnv });
    const extra = { process, baseUrl: `http://127.0.0.1:${port}` };
    this.extraApis.push(extra);
    await process.waitForOutput(/API listening/);
    return extra;
  }

  async startWorker(extraEnv: Record<string, string> = {}): Promise<ManagedProcess> {
    const worker = spawnNode(`worker-${this.workers.length}`, 'dist/worker.js', { ...this.env, ...extraEnv });
    this.workers.push(worker);
    await worker.waitForOutput(/Delivery worker running/, BOOT_TIMEOUT_MS);
    return worker;
  }

  /** Runs `node dist/cli.js ...args` with the stack's environment; returns its output and exit code. */
  cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, ['dist/cli.js', ...args], { cwd: ROOT, env: this.env, encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** `project create` then `project update --set` of the CLI, on the stack's database (see ProjectFactory). */
  createProject(
    name = 'Test Project',
    settings: Record<string, string | number | boolean> = {},
    { productionLimits = false }: { productionLimits?: boolean } = {},
  ): Promise<CreatedProject> {
    this.projects ??= new ProjectFactory(this.env);
    return this.projects.create(name, { ...(productionLimits ? {} : RELAXED_LIMITS), ...settings });
  }

  async request<T = any>(
    method: string,
    path: string,
    options: { body?: unknown; bearer?: string; headers?: Record<string, string>; rawBody?: string; baseUrl?: string } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    const response = await fetch((options.baseUrl ?? this.baseUrl) + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  post<T = any>(path: string, body: unknown, bearer?: string): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, { body, bearer });
  }

  /** Everything our processes printed so far. */
  logs(): string {
    return [this.api, ...this.extraApis.map((e) => e.process), ...this.workers].filter(Boolean).map((p) => p.output).join('\n');
  }

  async stop(): Promise<void> {
    await this.projects?.close();
    await Promise.all([...this.workers, ...this.extraApis.map((e) => e.process), this.api].filter(Boolean).map((p) => p.stop()));
    for (const cleanup of this.cleanups.reverse()) await cleanup();
  }
}

export async function createDatabase(kind: DbKind, cleanups: (() => Promise<void> | void)[]): Promise<string> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'otp-e2e-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return `sqlite:${join(dir, 'otp.sqlite')}`;
  }
  return createPostgresDatabase(cleanups);
}

/** A fresh PostgreSQL database, dropped by the cleanup it registers; returns its URL. */
export async function createPostgresDatabase(cleanups: (() => Promise<void> | void)[]): Promise<string> {
  const name = `otp_e2e_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  });
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Each stack gets a Redis database index of its own (1 to 14), so parallel suites never meet. */
/**
 * A Redis database index of its own for a test or a stack: 1 to count - 2 in turn, the last one
 * holding the counter. npm test's private redis-server has 1,024 (TEST_REDIS_DATABASES), so a run
 * never hands out one twice and no stack finds another's keys (its key check value, say); a shared
 * Redis has the default 16, and its indexes are reused after 14.
 */
export async function allocateRedisDb(): Promise<number> {
  const count = Number(process.env.TEST_REDIS_DATABASES ?? 16);
  const client = new Redis(`${REDIS_BASE}/${count - 1}`);
  const n = await client.incr('otp-e2e:next-db');
  client.disconnect();
  return (n % (count - 2)) + 1;
}

export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(100);
  }
}
