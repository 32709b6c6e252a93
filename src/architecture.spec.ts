import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Graph = Map<string, Map<string, string[]>>;
interface ModuleGraph {
  ROOT_LAYER: string;
  folderGraph(srcDir: string): Graph;
  cycles(graph: Graph): { members: string[]; path: string[] }[];
  mermaidBlock(graph: Graph): string;
  readmeBlock(readme: string): string | undefined;
}

// Compiled to .test-build/src/: the repository is two folders up, and the sources are read, not the build.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tool = (await import(pathToFileURL(join(root, 'scripts', 'module-graph.mjs')).href)) as ModuleGraph;
const graph = tool.folderGraph(join(root, 'src'));
const { LAYERS } = (await import(pathToFileURL(join(root, 'eslint.config.js')).href)) as { LAYERS: string[][] };

it('the folders of src/ import each other without a cycle', () => {
  const found = tool.cycles(graph).map(({ members, path }) => {
    const inside = members.flatMap((from) =>
      [...graph.get(from)!].filter(([to]) => members.includes(to)).map(([to, files]) => `    ${from} -> ${to}   (${files.join(', ')})`),
    );
    return `cycle ${path.join(' -> ')}, in the tangle of ${members.join(', ')}, whose edges are:\n${inside.join('\n')}`;
  });
  if (found.length) assert.fail(`\n${found.join('\n')}`);
});

it("README's module diagram is the real folder graph", () => {
  const expected = tool.mermaidBlock(graph);
  const actual = tool.readmeBlock(readFileSync(join(root, 'README.md'), 'utf8'));
  assert.equal(actual, expected, `README.md's "## Modules" block should be (node scripts/module-graph.mjs --write):\n${expected}`);
});

it('every folder of src/ has its layer in eslint.config.js', () => {
  const folders = [...graph.keys()].filter((folder) => folder !== tool.ROOT_LAYER).sort();
  assert.deepEqual(LAYERS.flat().sort(), folders);
});

/** Every non-spec TypeScript file of src/, relative to src/. */
function sources(dir = join(root, 'src'), prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory()) return sources(join(dir, entry.name), `${path}/`);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Declarative tables, which may grow with what they declare: migrations, DTOs, templates, config declarations. */
const DECLARATIVE = [/^database\/migrations\//, /\/dto\//, /\.dto\.ts$/, /\/templates\//, /^config\/variables\.ts$/, /\.docs\.ts$/, /\.lua\.ts$/];

it('no logic file of src/ is over 250 lines', () => {
  const long = sources()
    .filter((file) => !DECLARATIVE.some((pattern) => pattern.test(file)))
    .map((file) => ({ file, lines: readFileSync(join(root, 'src', file), 'utf8').split('\n').length - 1 }))
    .filter(({ lines }) => lines > 250);
  assert.deepEqual(long, [], 'split these files by use case or caller');
});

/**
 * SQL lives in repositories (and migrations). The generic statement builder and the transaction
 * runner of src/database write statements from entity metadata, never a table or column of a
 * feature; the migration runner takes PostgreSQL's advisory lock; the planned statement sets its
 * own session's plan cache mode.
 */
const SQL_INFRASTRUCTURE = ['database/raw-table.ts', 'database/atomic.ts', 'database/migrations.service.ts', 'database/planned-statement.ts'];

it('no SQL outside *.repository.ts, migrations and the database infrastructure', () => {
  const sql = /\b(SELECT\s+[\w"*(]|INSERT\s+INTO|UPDATE\s+["\w]+\s+SET|DELETE\s+FROM)|createQueryBuilder\(|\.query\(/;
  const offenders = sources()
    .filter((file) => !file.endsWith('.repository.ts') && !file.startsWith('database/migrations/') && !SQL_INFRASTRUCTURE.includes(file))
    .filter((file) => sql.test(readFileSync(join(root, 'src', file), 'utf8')));
  assert.deepEqual(offenders, []);
});
