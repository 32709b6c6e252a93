import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERRORS } from '../common/errors/error-codes.js';
import { SETTINGS_ROWS } from '../projects/project-settings.docs.js';
import { ProjectSettings, type SettingsKey } from '../projects/project-settings.js';
import type { Variable, Variables } from '../config/variable.js';
import { VARIABLES } from '../config/variables.js';
import { PROVIDERS } from '../delivery/providers/providers.js';

/**
 * The documentation generated from declarations in code: `.env.example` and the README's
 * configuration, per-project settings and errors tables. `npm run docs:config` writes them; a unit
 * spec fails when the committed files differ, so a new variable, setting or error code cannot be
 * left out of the docs.
 */

const ENV_EXAMPLE_HEADER = [
  '# Generated from src/config/variables.ts by `npm run docs:config`: edit the declarations there, not this file.',
  '# Copy to .env (or export these) — every variable is optional outside production. The API, the',
  '# worker and the CLI read .env from the working directory; variables set in the environment win.',
  '# The process refuses to start on a bad value and prints one line per problem.',
];
const WIDTH = 110;

/** Markdown links read as their text in a plain-text file; a link to a README section names it. */
const plain = (markdown: string) => markdown.replace(/\[([^\]]+)\]\(#[^)]+\)/g, "the README's $1").replace(/\[([^\]]+)\]\([^)]+\)/g, '$1');

function wrap(text: string, prefix: string): string[] {
  const lines: string[] = [];
  let line = prefix;
  for (const word of text.split(' ')) {
    if (line.length > prefix.length && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = prefix;
    }
    line += line.length > prefix.length ? ` ${word}` : word;
  }
  lines.push(line);
  return lines;
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function exampleValue(variable: Variable): string {
  const value = variable.example ?? (variable.default === undefined ? '' : String(variable.default));
  return /^[\w.:/@+-]*$/.test(value) ? value : JSON.stringify(value);
}

/** Every variable: config's own, then each provider's, which its folder declares. */
export const ALL_VARIABLES: Variables = Object.assign({}, VARIABLES, ...PROVIDERS.map((provider) => provider.variables ?? {}));

export function renderEnvExample(variables: Variables = ALL_VARIABLES): string {
  const lines = [...ENV_EXAMPLE_HEADER];
  let group: string | undefined;
  for (const [name, variable] of Object.entries(variables)) {
    if (variable.group !== group) {
      group = variable.group;
      lines.push('', `# ── ${group} ──`);
    }
    lines.push(...wrap(`${capitalised(plain(variable.description))}.`, '# '));
    for (const detail of variable.details ?? []) lines.push(`# ${detail}`);
    if (variable.secret) lines.push('# Secret: never echoed in config errors.');
    lines.push(`${name}=${exampleValue(variable)}`);
  }
  return `${lines.join('\n')}\n`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function renderEnvironmentTable(variables: Variables = ALL_VARIABLES): string {
  const rows = ['| group | variable | default | meaning |', '|---|---|---|---|'];
  let group: string | undefined;
  for (const [name, variable] of Object.entries(variables)) {
    const fallback = variable.defaultText ?? (variable.default === undefined ? '—' : `\`${String(variable.default)}\``);
    const meaning = variable.secret ? `${variable.description}; **secret**` : variable.description;
    rows.push(`| ${variable.group === group ? '' : variable.group} | \`${name}\` | ${cell(fallback)} | ${cell(meaning)} |`);
    group = variable.group;
  }
  return rows.join('\n');
}

function settingDefault(value: unknown): string {
  if (value === '' || (Array.isArray(value) && value.length === 0)) return 'empty';
  return String(value);
}

export function renderSettingsTable(): string {
  const defaults = new ProjectSettings() as unknown as Record<SettingsKey, unknown>;
  const documented = SETTINGS_ROWS.flatMap((row) => row.keys);
  const missing = Object.keys(defaults).filter((key) => !documented.includes(key as SettingsKey));
  const twice = documented.filter((key, index) => documented.indexOf(key) !== index);
  if (missing.length || twice.length) {
    throw new Error(`src/projects/project-settings.docs.ts: settings in no row: [${missing.join(', ')}]; in two rows: [${twice.join(', ')}]`);
  }
  const rows = ['| setting | default | meaning |', '|---|---|---|'];
  for (const row of SETTINGS_ROWS) {
    const keys = row.keys.map((key) => `\`${key}\``).join(', ');
    const fallback = row.defaultText ?? row.keys.map((key) => settingDefault(defaults[key])).join(', ');
    rows.push(`| ${keys} | ${cell(fallback)} | ${cell(row.meaning)} |`);
  }
  return rows.join('\n');
}

export function renderErrorsTable(): string {
  const rows = ['| code | status | when |', '|---|---|---|'];
  for (const error of Object.values(ERRORS)) rows.push(`| \`${error.code}\` | ${error.status} | ${cell(error.when)} |`);
  return rows.join('\n');
}

/** The README's generated tables, each between a BEGIN and an END comment naming it. */
const README_TABLES: { name: string; source: string; render: () => string }[] = [
  { name: 'environment', source: 'src/config/variables.ts', render: () => renderEnvironmentTable() },
  { name: 'project settings', source: 'src/projects/project-settings.docs.ts', render: renderSettingsTable },
  { name: 'errors', source: 'src/common/errors/error-codes.ts', render: renderErrorsTable },
];

/** The README with its generated tables replaced by what the declarations produce now. */
export function renderReadme(readme: string): string {
  let out = readme;
  for (const table of README_TABLES) {
    const begin = `<!-- BEGIN ${table.name} table: generated from ${table.source} by npm run docs:config -->\n`;
    const end = `\n<!-- END ${table.name} table -->`;
    const from = out.indexOf(begin);
    const to = out.indexOf(end, from);
    if (from < 0 || to < 0) throw new Error(`README.md has no generated ${table.name} table (between "${begin.trim()}" and "${end.trim()}")`);
    out = out.slice(0, from + begin.length) + table.render() + out.slice(to);
  }
  return out;
}

/** The generated files as they should be, by path relative to the repository root. */
export function generatedFiles(root: string): Record<string, string> {
  return {
    '.env.example': renderEnvExample(),
    'README.md': renderReadme(readFileSync(join(root, 'README.md'), 'utf8')),
  };
}

/** Writes the generated files; returns the ones that changed. */
export function writeGeneratedFiles(root: string): string[] {
  const changed: string[] = [];
  for (const [path, content] of Object.entries(generatedFiles(root))) {
    const file = join(root, path);
    let current: string | undefined;
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === content) continue;
    writeFileSync(file, content);
    changed.push(path);
  }
  return changed;
}
