#!/usr/bin/env node
// Compiles src/ and test/ with tsc (decorator metadata needs tsc, not a type-stripping loader), then
// runs Node's test runner: unit specs next to their files in src/, end-to-end suites in test/e2e/.
// The end-to-end suites start `node dist/main.js` and `node dist/worker.js`: run `npm run build` first.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const only = args.find((a) => a === '--unit' || a === '--e2e');
const filters = args.filter((a) => !a.startsWith('--'));
const out = '.test-build';

rmSync(out, { recursive: true, force: true });
const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

function find(dir, suffix) {
  let found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found = found.concat(find(path, suffix));
    else if (path.endsWith(suffix)) found.push(path);
  }
  return found;
}

let files = [];
if (only !== '--e2e') files = files.concat(find(join(out, 'src'), '.spec.js'));
if (only !== '--unit') files = files.concat(find(join(out, 'test'), '.e2e.js'));
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
files.sort();

const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--enable-source-maps', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
