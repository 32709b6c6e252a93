#!/usr/bin/env node
// One compilation for the tests and the bench: `nest build` on tsconfig.json (tsc with decorator
// metadata and the Swagger plugin, as `npm run build` compiles) of src/, test/ and bench/ into
// .test-build/. The end-to-end suites and the bench start the product as an operator does,
// `node dist/main.js`, so dist/ is then laid out from .test-build/src as `npm run build` writes it
// (same compiler, options and plugin; the specs left out as tsconfig.build.json leaves them out; source
// maps pointing at src/ from their new place) instead of compiling src/ a second time.
// `npm run build` stays the production build (the Docker image runs it).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { find } from './find-files.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, '.test-build');
const DIST = join(ROOT, 'dist');

// nest-cli.json's deleteOutDir empties .test-build first.
const build = spawnSync('npx', ['nest', 'build', '--path', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const from = join(OUT, 'src');
rmSync(DIST, { recursive: true, force: true });
for (const file of find(from, '.js')) {
  if (file.endsWith('.spec.js')) continue;
  const target = join(DIST, relative(from, file));
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(file, target);
  const map = JSON.parse(readFileSync(`${file}.map`, 'utf8'));
  map.sources = map.sources.map((source) => relative(dirname(target), resolve(dirname(file), source)));
  writeFileSync(`${target}.map`, JSON.stringify(map));
}
