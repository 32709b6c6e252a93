import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort } from '../support/ports.js';
import { ManagedProcess, ROOT } from '../support/stack.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  it('shows the quick-start command and the test command', () => {
    assert.match(readme, /```sh\nnpm ci && npm run build && npm start\n```/);
    assert.match(readme, /```sh\nnpm test\n```/);
  });

  it('npm start (the quick start, after its build) serves the API with a worker and says what to do next', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otp-readme-'));
    const port = await freePort();
    const child = spawn('npm', ['start'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: String(port), DATABASE_URL: `sqlite:${join(dir, 'otp.sqlite')}` },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const proc = new ManagedProcess('npm start', child);
    try {
      await proc.waitForOutput(/Delivery worker running in the API process/, 30_000);
      assert.match(proc.output, /project create --name/);
      assert.match(proc.output, /OTP_SECRET is not set/);
      const health = await fetch(`http://127.0.0.1:${port}/health/live`);
      assert.equal(health.status, 200);
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
      await proc.wait();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
