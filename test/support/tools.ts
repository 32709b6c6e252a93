import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

function installed(command: string): boolean {
  const candidates = isAbsolute(command) ? [command] : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, command));
  return candidates.some((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The `skip` option for a suite that needs an outside tool: false when the tool is there, else one
 * line saying what to install. Under CI=true a missing tool throws instead, so CI never skips silently.
 */
export function skipUnless(tool: string, install: string, present = installed(tool)): string | false {
  if (present) return false;
  const reason = `${tool} is missing: install it (${install})`;
  if (process.env.CI === 'true') throw new Error(`${reason}; CI runs every suite`);
  return reason;
}
