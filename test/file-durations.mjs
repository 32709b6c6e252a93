// A test reporter that prints, at the end of the run, how long each test file took (its top-level
// tests, which run one after the other within the file), slowest first: where the time of npm test goes.
import { relative } from 'node:path';

export default async function* fileDurations(source) {
  const files = new Map();
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
      files.set(event.data.file, (files.get(event.data.file) ?? 0) + (event.data.details.duration_ms ?? 0));
    }
  }
  if (!files.size) return;
  const lines = [...files].sort((a, b) => b[1] - a[1]).map(([file, ms]) => `${(ms / 1000).toFixed(1).padStart(7)} s  ${relative(process.cwd(), file)}`);
  yield `\nTime per test file (slowest first):\n${lines.join('\n')}\n`;
}
