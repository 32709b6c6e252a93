import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
