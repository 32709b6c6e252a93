import autocannon from 'autocannon';
import { type CpuProbe, RoleMeter } from './meter.js';
import { connections } from './options.js';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  requests: number;
  seconds: number;
  /** CPU of the `api` probe during the load (when given), % of one core. */
  cpu: number;
  /** CPU of every probe, the load generator's included. */
  roles?: Record<string, number>;
}

/** autocannon against one POST route; `body()` makes every request different. */
export async function load(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  body: () => unknown,
  target: { duration?: number; amount?: number; probes?: Record<string, CpuProbe>; connections?: number },
): Promise<LoadResult> {
  const meter = await new RoleMeter(target.probes ?? {}).start();
  const result = await autocannon({
    url: baseUrl,
    connections: target.connections ?? connections,
    ...(target.amount ? { amount: target.amount } : { duration: target.duration }),
    requests: [
      {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', ...headers },
        setupRequest: (request) => ({ ...request, body: JSON.stringify(body()) }),
      },
    ],
  });
  const seconds = result.duration;
  const roles = await meter.stop();
  return {
    roles,
    cpu: roles.api ?? 0,
    rps: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    requests: result.requests.total,
    seconds,
  };
}

/** Loads that ran one after the other. */
export function merge(a: LoadResult, b: LoadResult): LoadResult {
  const requests = a.requests + b.requests;
  const seconds = a.seconds + b.seconds;
  const cpu = (a.cpu * a.seconds + b.cpu * b.seconds) / seconds;
  return { rps: requests / seconds, p50: Math.max(a.p50, b.p50), p99: Math.max(a.p99, b.p99), errors: a.errors + b.errors, non2xx: a.non2xx + b.non2xx, requests, seconds, cpu };
}

/** Loads that ran at the same time: their rates add up. */
export function parallel(results: LoadResult[]): LoadResult {
  const requests = results.reduce((sum, r) => sum + r.requests, 0);
  const seconds = Math.max(...results.map((r) => r.seconds));
  return {
    rps: results.reduce((sum, r) => sum + r.rps, 0),
    p50: Math.max(...results.map((r) => r.p50)),
    p99: Math.max(...results.map((r) => r.p99)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    requests,
    seconds,
    cpu: 0,
  };
}
