// Runs the given test files with Node's test runner in the order given: `node --test` sorts its files
// by name, and run-tests.mjs starts the slowest first. Prints the spec report, then how long each file
// took (its top-level tests, which run one after the other within the file), slowest first: where the
// time of npm test goes. Exits 1 when a test fails.
//
// Usage: node test/runner.mjs <concurrency> <timeout ms> <file>...
import { relative } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const [concurrency, timeout, ...files] = process.argv.slice(2);
const durations = new Map();
let failed = false;

const record = (event) => {
  if (event.nesting === 0 && event.file) durations.set(event.file, (durations.get(event.file) ?? 0) + (event.details.duration_ms ?? 0));
};
const stream = run({ files, concurrency: Number(concurrency), timeout: Number(timeout), execArgv: ['--enable-source-maps'] });
stream.on('test:pass', record);
stream.on('test:fail', (event) => {
  failed = true;
  record(event);
});
const report = stream.compose(spec);
report.pipe(process.stdout, { end: false });
report.on('end', () => {
  const lines = [...durations].sort((a, b) => b[1] - a[1]).map(([file, ms]) => `${(ms / 1000).toFixed(1).padStart(7)} s  ${relative(process.cwd(), file)}`);
  if (lines.length) process.stdout.write(`\nTime per test file (slowest first):\n${lines.join('\n')}\n`);
  process.exitCode = failed ? 1 : 0;
});
