/** Splits `--flag value` / `--flag=value` options (repeatable) from positional arguments. */
export function parseArgs(argv: string[]): { positional: string[]; options: Map<string, string[]> } {
  const positional: string[] = [];
  const options = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const [name, value] = eq === -1 ? [arg.slice(2), argv[++i]] : [arg.slice(2, eq), arg.slice(eq + 1)];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    options.set(name, [...(options.get(name) ?? []), value]);
  }
  return { positional, options };
}

export class UsageError extends Error {}
