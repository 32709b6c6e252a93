import { parseArgs } from 'node:util';
import type { DbKind } from '../test/support/stack.js';

export const SCENARIOS = ['ceiling', 'send', 'send-2api', 'cycle', 'drain', 'drain-50ms', 'memory'] as const;
export type Scenario = (typeof SCENARIOS)[number];

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    db: { type: 'string', default: 'postgres' },
    scenarios: { type: 'string', default: SCENARIOS.join(',') },
    users: { type: 'string', default: '10000' },
    'memory-sends': { type: 'string', default: '300000' },
    'log-level': { type: 'string', default: 'info' },
    smoke: { type: 'boolean', default: false },
    'keep-logs': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'api-processes': { type: 'string', default: '1' },
    workers: { type: 'string', default: '1' },
    'sink-workers': { type: 'string', default: '1,2,4' },
    peer: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '3' },
    node: { type: 'string', default: process.execPath },
    // As `npm start` and the Docker image run the processes.
    'node-flags': { type: 'string', default: '--max-old-space-size=128 --max-semi-space-size=16' },
  },
});

export { opts };
export const smoke = opts.smoke;
export const duration = smoke ? 2 : Number(opts.duration);
export const connections = Number(opts.connections);
export const db = opts.db as DbKind;
export const userCount = smoke ? 500 : Number(opts.users);
export const memorySends = Number(opts['memory-sends']);
export const scenarios = opts.scenarios.split(',').map((s) => s.trim()) as Scenario[];
for (const s of scenarios) if (!SCENARIOS.includes(s)) throw new Error(`Unknown scenario ${s}; known: ${SCENARIOS.join(', ')}`);
if (db !== 'postgres' && db !== 'sqlite') throw new Error('--db must be postgres or sqlite');
export const apiProcesses = Number(opts['api-processes']);
export const workerCounts = opts.workers.split(',').map(Number);
export const sinkWorkerCounts = opts['sink-workers'].split(',').map(Number);
export const rounds = smoke ? 1 : Number(opts.rounds);
export const warmup = smoke ? 0 : Number(opts.warmup);
if (!(apiProcesses >= 1) || [...workerCounts, ...sinkWorkerCounts].some((n) => !(n >= 1)) || !(rounds >= 1)) {
  throw new Error('--api-processes, --workers, --sink-workers and --rounds take numbers ≥ 1');
}
if (opts.peer && db !== 'postgres') throw new Error('--peer runs on PostgreSQL');
