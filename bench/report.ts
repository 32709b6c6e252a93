import type { LoadResult } from './load.js';
import { rssMb } from './meter.js';

export interface Row {
  scenario: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  cpu: number;
  rssMb: number;
  unit?: string;
  note?: string;
  /** CPU of each role during the row, % of one core. */
  roles?: Record<string, number>;
}

/** The rows of the run, in the order the scenarios ran. */
export const rows: Row[] = [];

export const ROLES = ['api', 'worker', 'pg', 'redis'] as const;

export function toRow(scenario: string, result: LoadResult, pids: number[]): Row {
  return { scenario, unit: 'req/s', ...result, rssMb: Math.max(...pids.map(rssMb)) };
}

/** The row's CPU by role; "server CPU" is ours (API and workers), as before the stores were measured. */
export function withRoles(roles: Record<string, number>): Pick<Row, 'cpu' | 'roles'> {
  return { cpu: (roles.api ?? 0) + (roles.worker ?? 0), roles };
}

/** CPU per unit of work (per request, cycle or job) of each role, in ms: `api 0.45 · pg 0.20 · redis 0.08`. */
function perUnit(row: Row): string {
  if (!row.roles || !(row.rps > 0)) return '';
  return ROLES.filter((role) => row.roles![role] !== undefined)
    .map((role) => `${role} ${((row.roles![role]! * 10) / row.rps).toFixed(2)}`)
    .join(' · ');
}

export function printTable(
  header = ['scenario', 'rate', 'unit', '× ceiling', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'server CPU %', 'CPU ms per unit', 'load gen CPU %', 'RSS MB', 'note'],
  body?: string[][],
): void {
  const ceiling = rows.find((r) => r.scenario.startsWith('ceiling'))?.rps;
  body ??= rows.map((r) => [
    r.scenario,
    r.rps.toFixed(0),
    r.unit ?? '',
    ceiling && r.unit !== 'jobs/s' ? (r.rps / ceiling).toFixed(3) : '',
    Number.isNaN(r.p50) ? '' : r.p50.toFixed(1),
    Number.isNaN(r.p99) ? '' : r.p99.toFixed(1),
    String(r.errors),
    String(r.non2xx),
    r.cpu.toFixed(0),
    perUnit(r),
    r.roles?.bench === undefined ? '' : r.roles.bench.toFixed(0),
    r.rssMb.toFixed(0),
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  process.stdout.write(`\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${body.map(line).join('\n')}\n`);
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
