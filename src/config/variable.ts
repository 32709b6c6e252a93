/**
 * The shape of one environment variable's declaration. Validation, the typed values AppConfig is
 * built from, `.env.example` and the README's configuration table are all derived from these
 * declarations (src/config/variables.ts lists them), so a variable is described in one place.
 */
interface Declared {
  /** The heading it is listed under in `.env.example` and the README. */
  group: string;
  /** One line: the README's "meaning" column, and the first comment line in `.env.example`. */
  description: string;
  /** Further comment lines for `.env.example` only (the README keeps to one line). */
  details?: string[];
  /** Never echoed: a bad value shows as `<hidden>` in config errors. */
  secret?: boolean;
  /** The CLI validates it too (the CLI ignores every other variable). */
  cli?: boolean;
  /** The README's default column, when the default depends on other settings and is applied by AppConfig. */
  defaultText?: string;
  /** The value written in `.env.example`, when it is not the default. */
  example?: string;
}

export interface TextVariable extends Declared {
  kind: 'text';
  default?: string;
  pattern?: RegExp;
  /** The message when `pattern` does not match. */
  message?: string;
  minLength?: number;
}

export interface IntVariable extends Declared {
  kind: 'int';
  default?: number;
  min: number;
  max?: number;
}

export interface FlagVariable extends Declared {
  kind: 'flag';
  default?: boolean;
}

export interface OneOfVariable<T extends string = string> extends Declared {
  kind: 'oneOf';
  values: readonly T[];
  default?: T;
}

export type Variable = TextVariable | IntVariable | FlagVariable | OneOfVariable;
export type Variables = Record<string, Variable>;

export const text = <const D extends Omit<TextVariable, 'kind'>>(d: D) => ({ ...d, kind: 'text' as const });
export const int = <const D extends Omit<IntVariable, 'kind'>>(d: D) => ({ ...d, kind: 'int' as const });
export const flag = <const D extends Omit<FlagVariable, 'kind'>>(d: D) => ({ ...d, kind: 'flag' as const });
export const oneOf = <const T extends string, const D extends Omit<OneOfVariable<T>, 'kind' | 'values'>>(values: readonly T[], d: D) => ({
  ...d,
  values,
  kind: 'oneOf' as const,
});

type ValueOf<V> = V extends { kind: 'int' } ? number : V extends { kind: 'flag' } ? boolean : V extends { values: readonly (infer T)[] } ? T : string;

/** The parsed environment: a variable with a default is always set, the others may be undefined. */
export type Values<D extends Variables> = {
  readonly [K in keyof D]: D[K] extends { default: unknown } ? ValueOf<D[K]> : ValueOf<D[K]> | undefined;
};

/**
 * One record of declarations from several (a module's own file may declare its variables next to
 * its code); a name declared twice is a mistake caught when the module loads.
 */
export function combine<const R extends Variables[]>(...records: R): UnionToIntersection<R[number]> {
  const all: Variables = {};
  for (const record of records) {
    for (const [name, variable] of Object.entries(record)) {
      if (name in all) throw new Error(`environment variable ${name} is declared twice`);
      all[name] = variable;
    }
  }
  return all as UnionToIntersection<R[number]>;
}

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];

/** The typed value of one raw setting, or the problem with it (without the variable's name). */
function parseOne(variable: Variable, raw: string): { value: unknown } | { shown: unknown; problem: string } {
  switch (variable.kind) {
    case 'int': {
      if (!/^-?\d+$/.test(raw)) return { shown: raw, problem: 'must be an integer number' };
      const value = Number(raw);
      if (value < variable.min) return { shown: value, problem: `must not be less than ${variable.min}` };
      if (variable.max !== undefined && value > variable.max) return { shown: value, problem: `must not be greater than ${variable.max}` };
      return { value };
    }
    case 'flag': {
      const lower = raw.toLowerCase();
      if (TRUE.includes(lower)) return { value: true };
      if (FALSE.includes(lower)) return { value: false };
      return { shown: raw, problem: 'must be a boolean value' };
    }
    case 'oneOf':
      return variable.values.includes(raw) ? { value: raw } : { shown: raw, problem: `must be one of the following values: ${variable.values.join(', ')}` };
    case 'text':
      if (variable.pattern && !variable.pattern.test(raw)) return { shown: raw, problem: variable.message ?? 'has an invalid format' };
      if (variable.minLength !== undefined && raw.length < variable.minLength) {
        return { shown: raw, problem: `must be at least ${variable.minLength} characters` };
      }
      return { value: raw };
  }
}

/**
 * Reads every declared variable from the environment: unset or empty takes the default. Returns
 * the typed values, or one line per bad value, `NAME=<value>: NAME <problem>` (secrets shown as
 * `<hidden>`).
 */
export function parseVariables<D extends Variables>(declarations: D, env: NodeJS.ProcessEnv): { value?: Values<D>; problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, variable] of Object.entries(declarations)) {
    const raw = env[name];
    if (raw === undefined || raw === '') {
      values[name] = variable.default;
      continue;
    }
    const parsed = parseOne(variable, raw);
    if ('value' in parsed) values[name] = parsed.value;
    else problems.push(`${name}=${variable.secret ? '<hidden>' : JSON.stringify(parsed.shown)}: ${name} ${parsed.problem}`);
  }
  return problems.length ? { problems } : { value: values as Values<D>, problems };
}
