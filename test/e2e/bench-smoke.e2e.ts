import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../support/stack.js';

/** Runs the benchmark for 2 s per scenario so that it cannot rot; the figures themselves are not judged. */
describe('benchmark smoke run', () => {
  it('prints one row per scenario, every one with traffic, no errors and no non-2xx answers', async () => {
    const child = spawn(process.execPath, [join(ROOT, '.test-build/bench/bench.js'), '--smoke'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, `bench exited ${code}:\n${stderr}\n${stdout}`);

    const lines = stdout.split('\n').filter((l) => l.startsWith('| '));
    const header = lines[0]!.split('|').map((c) => c.trim());
    const rows = lines.slice(1).map((line) => {
      const cells = line.split('|').map((c) => c.trim());
      return Object.fromEntries(header.map((h, i) => [h, cells[i]!])) as Record<string, string>;
    });
    const expected = [
      /^ceiling: bare NestJS\+Fastify/,
      /^send: sign-in over email/,
      /^send: 2 API processes/,
      /^full cycle: signup-in/,
      /^delivery: 1 worker, instant sink/,
      /^delivery: 1 worker, 50 ms sink/,
      /^delivery: 2 workers, 50 ms sink/,
      /^delivery: 4 workers, 50 ms sink/,
      /^memory: \d+ sends/,
    ];
    assert.equal(rows.length, expected.length, stdout);
    expected.forEach((pattern, i) => {
      const row = rows[i]!;
      assert.match(row.scenario!, pattern);
      assert.ok(Number(row.rate) > 0, `${row.scenario} had no traffic:\n${stdout}`);
      assert.equal(row.errors, '0', `${row.scenario} had errors:\n${stdout}`);
      assert.equal(row['non-2xx'], '0', `${row.scenario} had non-2xx answers:\n${stdout}`);
      assert.ok(Number(row['RSS MB']) > 0, `${row.scenario} has no RSS`);
    });
    assert.match(rows.at(-1)!.note!, /API RSS after each third: \d+ \/ \d+ \/ \d+ MB; V8 heap used\/total, external: \d+\/\d+, \d+/);
  });
});
