#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by package, top N.
// Usage: node bench/profile-summary.mjs <file.cpuprofile> [N] [last-seconds]
// With last-seconds, only the samples of the end of the run count (the measured scenario, not the
// boot and the seeding).
import { readFileSync } from 'node:fs';

const [file, topArg, lastArg] = process.argv.slice(2);
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
const end = profile.endTime;
const from = lastArg ? end - Number(lastArg) * 1e6 : -Infinity;
let at = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  at += dt[i] ?? 0;
  if (at >= from) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

const where = (url) => {
  if (!url) return '(native)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  if (url.includes('/dist/')) return 'ours:' + url.slice(url.indexOf('/dist/') + 6);
  return url;
};
const fnAgg = new Map();
const pkgAgg = new Map();
for (const [id, t] of self) {
  const { callFrame } = byId.get(id);
  const fn = `${callFrame.functionName || '(anonymous)'} ${where(callFrame.url)}:${callFrame.lineNumber + 1}`;
  fnAgg.set(fn, (fnAgg.get(fn) ?? 0) + t);
  const pkg = callFrame.url ? where(callFrame.url).replace(/^ours:.*/, 'ours') : callFrame.functionName;
  pkgAgg.set(pkg, (pkgAgg.get(pkg) ?? 0) + t);
}
const show = (title, map) => {
  console.log(`\n${title} (total ${(total / 1000).toFixed(0)} ms sampled)`);
  for (const [k, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
};
show('self time by package', pkgAgg);
show('self time by function', fnAgg);
