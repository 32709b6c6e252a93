/** Flags that take no value. */
const FLAGS = new Set(['--help', '-h']);

/** Splits `--flag value` / `--flag=value` options (repeatable) from positional arguments; `--help`/`-h` take none. */
export function parseArgs(argv: string[]): { positional: string[]; options: Map<string, string[]>; help: boolean } {
  const positional: string[] = [];
  const options = new Map<string, string[]>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (FLAGS.has(arg)) {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const [name, value] = eq === -1 ? [arg.slice(2), argv[++i]] : [arg.slice(2, eq), arg.slice(eq + 1)];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    options.set(name, [...(options.get(name) ?? []), value]);
  }
  return { positional, options, help };
}

export class UsageError extends Error {}
