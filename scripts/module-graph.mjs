#!/usr/bin/env node
// The folder-level import graph of src/: one node per top-level folder, plus `root` for the files
// directly in src/ (entry points and root modules). An edge a --> b means some non-spec .ts file in a
// imports (statically, by a relative path) a file in b. src/architecture.spec.ts asserts the graph is
// acyclic and that README.md's "## Modules" diagram is this graph.
//
//   node scripts/module-graph.mjs           prints the mermaid block
//   node scripts/module-graph.mjs --write   replaces the block in README.md
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT_LAYER = 'root';

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

function sourceFiles(dir) {
  let found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found = found.concat(sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.spec.ts')) found.push(path);
  }
  return found;
}

function layerOf(srcDir, path) {
  const parts = relative(srcDir, path).split(sep);
  return parts.length === 1 ? ROOT_LAYER : parts[0];
}

/** Map of folder -> Map of imported folder -> the importing files (for messages). */
export function folderGraph(srcDir) {
  const graph = new Map();
  for (const file of sourceFiles(srcDir)) {
    const from = layerOf(srcDir, file);
    if (!graph.has(from)) graph.set(from, new Map());
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolve(dirname(file), specifier);
      if (relative(srcDir, target).startsWith('..')) continue;
      const to = layerOf(srcDir, target);
      if (to === from) continue;
      const edges = graph.get(from);
      if (!edges.has(to)) edges.set(to, []);
      if (!edges.get(to).includes(relative(srcDir, file))) edges.get(to).push(relative(srcDir, file));
    }
  }
  return graph;
}

/** The cycles of the graph, one per strongly connected component, each as a closed path [a, b, ..., a]. */
export function cycles(graph) {
  const nodes = [...graph.keys()].sort();
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  let next = 0;
  const connect = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of [...(graph.get(v)?.keys() ?? [])].sort()) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(new Set(component));
    }
  };
  for (const v of nodes) if (!index.has(v)) connect(v);
  return components.map((component) => {
    const start = [...component].sort()[0];
    // Breadth-first from start back to start inside the component: the shortest cycle through it.
    const parent = new Map([[start, null]]);
    const queue = [start];
    while (queue.length) {
      const v = queue.shift();
      for (const w of [...(graph.get(v)?.keys() ?? [])].sort()) {
        if (!component.has(w)) continue;
        if (w === start) {
          const path = [start];
          for (let u = v; u !== start; u = parent.get(u)) path.splice(1, 0, u);
          return { members: [...component].sort(), path: [...path, start] };
        }
        if (!parent.has(w)) {
          parent.set(w, v);
          queue.push(w);
        }
      }
    }
    return { members: [...component].sort(), path: [start, start] };
  });
}

/** Every edge a --> b, sorted, one per line. */
export function edgeLines(graph) {
  const lines = [];
  for (const [from, edges] of graph) for (const to of edges.keys()) lines.push(`  ${from} --> ${to}`);
  return lines.sort();
}

export function mermaidBlock(graph) {
  return ['```mermaid', 'flowchart TD', ...edgeLines(graph), '```'].join('\n');
}

/** The mermaid block under README's "## Modules" heading, or undefined. */
export function readmeBlock(readme) {
  const section = readme.split(/^## Modules\s*$/m)[1]?.split(/^## /m)[0];
  return section?.match(/^```mermaid\n(?:[\s\S]*?\n)?```$/m)?.[0];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const graph = folderGraph(join(root, 'src'));
  const block = mermaidBlock(graph);
  for (const cycle of cycles(graph)) console.error(`cycle: ${cycle.path.join(' -> ')} (folders ${cycle.members.join(', ')})`);
  if (process.argv.includes('--write')) {
    const readmePath = join(root, 'README.md');
    const readme = readFileSync(readmePath, 'utf8');
    const current = readmeBlock(readme);
    if (!current) {
      console.error('README.md has no mermaid block under "## Modules"');
      process.exit(1);
    }
    writeFileSync(readmePath, readme.replace(current, block));
  } else {
    console.log(block);
  }
}
