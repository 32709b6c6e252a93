import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { coverageEnv, createPostgresDatabase, ROOT } from '../support/stack.js';

const dir = mkdtempSync(join(tmpdir(), 'otp-cli-'));
const env = { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: `sqlite:${join(dir, 'otp.sqlite')}`, ...coverageEnv() };
const cli = (...args: string[]) => spawnSync(process.execPath, ['dist/cli.js', ...args], { cwd: ROOT, env, encoding: 'utf8' });

describe('cli', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a project, printing one line of JSON, on a database it migrates itself', () => {
    const created = cli('project', 'create', '--name', 'Acme');
    assert.equal(created.status, 0, created.stderr);
    const lines = created.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const { projectId, managementKey } = JSON.parse(lines[0]!);
    assert.match(projectId, /^P[A-Za-z0-9_-]{27}$/);
    assert.match(managementKey, /^K[A-Za-z0-9]{40,}$/);

    const shown = cli('project', 'show', projectId);
    assert.equal(shown.status, 0, shown.stderr);
    const project = JSON.parse(shown.stdout);
    assert.equal(project.name, 'Acme');
    assert.deepEqual(
      { otpLength: project.settings.otpLength, otpExpirySeconds: project.settings.otpExpirySeconds, otpMaxAttempts: project.settings.otpMaxAttempts },
      { otpLength: 6, otpExpirySeconds: 300, otpMaxAttempts: 5 },
    );

    const updated = cli('project', 'update', projectId, '--set', 'otpLength=8', '--set', 'otpExpirySeconds=120');
    assert.equal(updated.status, 0, updated.stderr);
    assert.equal(JSON.parse(cli('project', 'show', projectId).stdout).settings.otpLength, 8);

    const unknown = cli('project', 'update', projectId, '--set', 'colour=blue');
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /unknown setting "colour"/);
    const bad = cli('project', 'update', projectId, '--set', 'otpLength=3');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /otpLength=3/);
    assert.equal(JSON.parse(cli('project', 'show', projectId).stdout).settings.otpLength, 8, 'a refused update changes nothing');
  });

  it('answers usage errors with exit code 2 and unknown projects with 1', () => {
    assert.equal(cli('nonsense').status, 2);
    assert.equal(cli('project', 'create').status, 2);
    const missing = cli('project', 'show', 'P0000000000000000000000000000');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /Unknown project/);
  });
});

describe('cli help, configuration and database', () => {
  it('answers --help for the whole CLI and for every command, with exit code 0', () => {
    for (const args of [['--help'], ['-h'], ['project', '--help']]) {
      const help = cli(...args);
      assert.equal(help.status, 0, help.stderr);
      assert.match(help.stdout, /^usage: node dist\/cli\.js <command>/);
      assert.match(help.stdout, /keys rotate --project <projectId>/);
    }
    for (const command of ['project create', 'project show', 'project update', 'keys create', 'keys list', 'keys revoke', 'keys rotate']) {
      const help = cli(...command.split(' '), '--help');
      assert.equal(help.status, 0, `${command}: ${help.stderr}`);
      assert.match(help.stdout, new RegExp(`^usage: node dist/cli\\.js ${command}`), command);
      assert.ok(help.stdout.split('\n').length >= 3, `${command} is explained, not only its usage line`);
    }
  });

  it('needs only the database and the secret in production, and says on stderr which database it used', () => {
    const production = spawnSync(process.execPath, ['dist/cli.js', 'project', 'create', '--name', 'Prod'], {
      cwd: ROOT,
      // A server would refuse this: e-mail over SMTP without SMTP_URL, a Twilio SMS without credentials.
      env: { PATH: env.PATH, NODE_ENV: 'production', OTP_SECRET: randomBytes(48).toString('base64'), DATABASE_URL: env.DATABASE_URL, SMS_PROVIDER: 'twilio' },
      encoding: 'utf8',
    });
    assert.equal(production.status, 0, production.stderr);
    assert.match(JSON.parse(production.stdout).projectId, /^P/);
    assert.equal(production.stderr, `database: sqlite:${join(dir, 'otp.sqlite')}\n`);
  });

  it('reads .env in the working directory, the environment winning over it', () => {
    const work = mkdtempSync(join(tmpdir(), 'otp-dotenv-'));
    try {
      writeFileSync(join(work, '.env'), `# as copied from .env.example\nDATABASE_URL=sqlite:${join(work, 'from-dotenv.sqlite')}\n`);
      const run = (extra: Record<string, string>) =>
        spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'project', 'create', '--name', 'Dotenv'], { cwd: work, env: { PATH: env.PATH, ...extra }, encoding: 'utf8' });
      const fromFile = run({});
      assert.equal(fromFile.status, 0, fromFile.stderr);
      assert.equal(fromFile.stderr, `database: sqlite:${join(work, 'from-dotenv.sqlite')}\n`);
      assert.ok(existsSync(join(work, 'from-dotenv.sqlite')));

      const fromEnv = run({ DATABASE_URL: `sqlite:${join(work, 'from-env.sqlite')}` });
      assert.equal(fromEnv.status, 0, fromEnv.stderr);
      assert.equal(fromEnv.stderr, `database: sqlite:${join(work, 'from-env.sqlite')}\n`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('migrations', () => {
  for (const kind of ['sqlite', 'postgres'] as const) {
    it(`let several processes boot on one fresh ${kind} database at once`, async () => {
      const dbDir = mkdtempSync(join(tmpdir(), 'otp-mig-'));
      const cleanups: (() => Promise<void> | void)[] = [() => rmSync(dbDir, { recursive: true, force: true })];
      const url = kind === 'sqlite' ? `sqlite:${join(dbDir, 'otp.sqlite')}` : await createPostgresDatabase(cleanups);
      try {
        const runs = await Promise.all(
          Array.from({ length: 4 }, (_, i) =>
            new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
              const child = spawn(process.execPath, ['dist/cli.js', 'project', 'create', '--name', `p${i}`], {
                cwd: ROOT,
                env: { ...env, DATABASE_URL: url },
              });
              let stdout = '';
              let stderr = '';
              child.stdout.on('data', (d) => (stdout += d));
              child.stderr.on('data', (d) => (stderr += d));
              child.on('exit', (status) => resolve({ status, stdout, stderr }));
            }),
          ),
        );
        for (const run of runs) assert.equal(run.status, 0, run.stderr);
        assert.equal(new Set(runs.map((r) => JSON.parse(r.stdout).projectId)).size, 4);
      } finally {
        for (const cleanup of cleanups.reverse()) await cleanup();
      }
    });
  }
});
