import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createPostgresDatabase, ROOT } from '../support/stack.js';

const dir = mkdtempSync(join(tmpdir(), 'otp-cli-'));
const env = { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: `sqlite:${join(dir, 'otp.sqlite')}` };
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
