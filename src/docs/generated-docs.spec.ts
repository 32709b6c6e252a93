import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ERRORS } from '../common/errors/error-codes.js';
import { ProjectSettings } from '../projects/project-settings.js';
import { ALL_VARIABLES as VARIABLES, generatedFiles, renderReadme, writeGeneratedFiles } from './generated-docs.js';

const ROOT = join(import.meta.dirname, '../../..');
const committed = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const STALE = 'differs from what the declarations generate: run `npm run docs:config` and commit the result';

/** The rows of the README's first table after `anchor` (a heading or the sentence introducing it). */
function tableRows(readme: string, anchor: string): string[] {
  const start = readme.indexOf(anchor);
  assert.ok(start >= 0, `README.md has "${anchor}"`);
  const lines = readme.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, index) => index > first && !line.startsWith('|'));
  return lines.slice(first + 2, end);
}

describe('generated documentation', () => {
  const readme = committed('README.md');

  it('lists every environment variable in .env.example', () => {
    const missing = Object.keys(VARIABLES).filter((name) => !new RegExp(`^${name}=`, 'm').test(committed('.env.example')));
    assert.deepEqual(missing, [], '.env.example misses variables');
  });

  it("lists every environment variable in the README's configuration table", () => {
    const rows = tableRows(readme, '## Configuration').join('\n');
    const missing = Object.keys(VARIABLES).filter((name) => !rows.includes(`\`${name}\``));
    assert.deepEqual(missing, [], 'the README misses variables');
  });

  it("lists every error code in the README's errors table and every per-project setting in its settings table", () => {
    const errors = tableRows(readme, '## Errors').join('\n');
    assert.deepEqual(Object.values(ERRORS).map((e) => e.code).filter((code) => !errors.includes(`\`${code}\``)), [], 'the README misses error codes');
    const settings = tableRows(readme, 'Per-project settings').join('\n');
    assert.deepEqual(Object.keys(new ProjectSettings()).filter((key) => !settings.includes(`\`${key}\``)), [], 'the README misses settings');
  });

  it('has .env.example and the README tables exactly as generated', () => {
    const files = generatedFiles(ROOT);
    for (const [path, content] of Object.entries(files)) assert.equal(committed(path), content, `${path} ${STALE}`);
  });

  it('fails loudly when a generated table lost its markers', () => {
    assert.throws(() => renderReadme('# README without tables\n'), /README\.md has no generated environment table/);
  });

  it('npm run docs:config rewrites what differs (and a missing .env.example), then nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'otp-docs-'));
    try {
      const readme = committed('README.md');
      const row = readme.split('\n').find((line) => line.startsWith('|  | `PORT` |'))!;
      writeFileSync(join(dir, 'README.md'), readme.replace(row, '|  | `PORT` | `1` | stale |'));
      assert.deepEqual(writeGeneratedFiles(dir).sort(), ['.env.example', 'README.md']);
      assert.equal(readFileSync(join(dir, 'README.md'), 'utf8'), readme);
      assert.equal(readFileSync(join(dir, '.env.example'), 'utf8'), committed('.env.example'));
      assert.deepEqual(writeGeneratedFiles(dir), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
