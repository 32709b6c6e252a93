import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { withCpuLock } from '../support/cpu-lock.js';
import { ROOT } from '../support/stack.js';

/** Runs the bench with `args`; the rows of each table it prints, by column name. */
async function bench(args: string[]): Promise<{ stdout: string; tables: Record<string, string>[][] }> {
  return withCpuLock(() => runBench(args));
}

async function runBench(args: string[]): Promise<{ stdout: string; tables: Record<string, string>[][] }> {
  const child = spawn(process.execPath, [join(ROOT, '.test-build/bench/bench.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0, `bench exited ${code}:\n${stderr}\n${stdout}`);
  const tables = stdout.split('\n\n').map((block) => block.split('\n').filter((l) => l.startsWith('| '))).filter((lines) => lines.length);
  return {
    stdout,
    tables: tables.map((lines) => {
      const header = lines[0]!.split('|').map((c) => c.trim());
      return lines.slice(1).map((line) => {
        const cells = line.split('|').map((c) => c.trim());
        return Object.fromEntries(header.map((h, i) => [h, cells[i]!])) as Record<string, string>;
      });
    }),
  };
}

/** Runs the benchmark for 2 s per scenario so that it cannot rot; the figures themselves are not judged. */
describe('benchmark smoke run', () => {
  it('prints one row per scenario, every one with traffic, no errors and no non-2xx answers', async () => {
    const { stdout, tables } = await bench(['--smoke']);
    const rows = tables[0]!;
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
    // CPU per unit of every role the row involves, PostgreSQL and Redis included.
    assert.match(rows[1]!['CPU ms per unit']!, /^api \d+\.\d\d · pg \d+\.\d\d · redis \d+\.\d\d$/, stdout);
    assert.match(rows[3]!['CPU ms per unit']!, /^api \d+\.\d\d · worker \d+\.\d\d · pg \d+\.\d\d · redis \d+\.\d\d$/, stdout);
  });

  it('--api-processes and --workers: the send row spreads over the API processes, and the cycle runs once per worker count', async () => {
    const { stdout, tables } = await bench(['--smoke', '--scenarios', 'send,cycle', '--api-processes', '2', '--workers', '1,2']);
    const rows = tables[0]!;
    assert.deepEqual(
      rows.map((r) => r.scenario),
      ['send: sign-in over email, 2 API processes', 'full cycle: signup-in → sink → verify, 2 API + 1 worker', 'full cycle: signup-in → sink → verify, 2 API + 2 workers'],
      stdout,
    );
    for (const row of rows) {
      assert.ok(Number(row.rate) > 0, `${row.scenario} had no traffic:\n${stdout}`);
      assert.equal(row.errors, '0', `${row.scenario} had errors:\n${stdout}`);
      assert.equal(row['non-2xx'], '0', `${row.scenario} had non-2xx answers:\n${stdout}`);
    }
  });

  it('--sink-workers: the 50 ms sink rows follow the given counts, interleaved, each ratio against the mean of the 1-worker rows', async () => {
    const { stdout, tables } = await bench(['--smoke', '--scenarios', 'drain-50ms', '--sink-workers', '1,2,1']);
    const rows = tables[0]!;
    assert.deepEqual(
      rows.map((r) => r.scenario),
      ['delivery: 1 worker, 50 ms sink', 'delivery: 2 workers, 50 ms sink', 'delivery: 1 worker, 50 ms sink'],
      stdout,
    );
    const [first, two, last] = rows.map((r) => Number(r.rate)) as [number, number, number];
    assert.ok(first > 0 && two > 0 && last > 0, stdout);
    // Rates are printed rounded, so the ratio is checked to within that rounding.
    const ratio = Number(/^(\d+\.\d\d)× one worker$/.exec(rows[1]!.note!)?.[1]);
    assert.ok(Math.abs(ratio - two / ((first + last) / 2)) < 0.02, `ratio ${ratio}:\n${stdout}`);
    assert.equal(rows[0]!.note, '', stdout);
  });

  it('--peer: both servers answer the send and the full cycle with 2xx only, and the ratios are printed', async () => {
    const { stdout, tables } = await bench(['--smoke', '--peer']);
    const [rows, comparison] = tables as [Record<string, string>[], Record<string, string>[]];
    assert.deepEqual(
      rows.map((r) => r.scenario),
      [
        'peer send, round 1: this project (npm start)',
        'peer send, round 1: better-auth 1.7 email-OTP',
        'peer full cycle, round 1: this project (npm start)',
        'peer full cycle, round 1: better-auth 1.7 email-OTP',
      ],
      stdout,
    );
    for (const row of rows) {
      assert.ok(Number(row.rate) > 0, `${row.scenario} had no traffic:\n${stdout}`);
      assert.equal(row.errors, '0', `${row.scenario} had errors:\n${stdout}`);
      assert.equal(row['non-2xx'], '0', `${row.scenario} had non-2xx answers:\n${stdout}`);
    }
    assert.deepEqual(comparison.map((r) => r['peer comparison']), ['send: a code for a new address', 'full cycle: code → read → verify → session'], stdout);
    for (const row of comparison) {
      assert.match(row.ratio!, /^\d+\.\d\d×$/, stdout);
      assert.match(row['CPU ms per unit, all processes (ours / peer)']!, /^\d+\.\d\d \/ \d+\.\d\d$/, stdout);
      assert.equal(row['errors + non-2xx (ours / peer)'], '0 / 0', stdout);
    }
  });
});
