import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The files under `dir`, at any depth, whose path ends with `suffix`. */
export function find(dir, suffix) {
  return readdirSync(dir, { recursive: true })
    .filter((path) => path.endsWith(suffix))
    .map((path) => join(dir, path));
}
