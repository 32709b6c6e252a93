import { Agent, request } from 'node:http';
import { Redis } from 'ioredis';

export interface CycleOptions {
  baseUrl: string;
  bearer: string;
  redisUrl: string;
  connections: number;
  durationMs: number;
  sinkKey: (to: string) => string;
}

export interface CycleResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Mean time of each step of a successful cycle. */
  note: string;
}

/**
 * The full sign-in cycle of new users, each step waiting on the one before (which is why this is a
 * loop of virtual users and not autocannon): sign-up-or-in, wait for the worker to deliver the message
 * to the sink, read the code from it, verify, get the JWTs. The latency is that of the whole cycle.
 */
export async function runCycles(options: CycleOptions): Promise<CycleResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const url = new URL(options.baseUrl);
  const run = `${Date.now().toString(36)}`;
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  const steps = { send: 0, delivery: 0, verify: 0 };
  const started = performance.now();
  const deadline = started + options.durationMs;

  const post = (path: string, body: unknown) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${options.bearer}` },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });

  const user = async (vu: number) => {
    const mailbox = new Redis(options.redisUrl);
    try {
      for (let n = 0; performance.now() < deadline; n++) {
        const loginId = `cycle-${run}-${vu}-${n}@bench.test`;
        const t0 = performance.now();
        try {
          const sent = await post('/v1/auth/otp/signup-in/email', { loginId });
          if (sent.status !== 200) {
            non2xx++;
            continue;
          }
          const t1 = performance.now();
          const popped = await mailbox.blpop(options.sinkKey(loginId), 10);
          const t2 = performance.now();
          const code = popped && /verification code is (\d+)/.exec(popped[1])?.[1];
          if (!code) {
            errors++;
            continue;
          }
          const verified = await post('/v1/auth/otp/verify/email', { loginId, code });
          if (verified.status !== 200 || !(JSON.parse(verified.text) as { sessionJwt?: string }).sessionJwt) {
            non2xx++;
            continue;
          }
          const t3 = performance.now();
          latencies.push(t3 - t0);
          steps.send += t1 - t0;
          steps.delivery += t2 - t1;
          steps.verify += t3 - t2;
        } catch {
          errors++;
        }
      }
    } finally {
      mailbox.disconnect();
    }
  };

  await Promise.all(Array.from({ length: options.connections }, (_, vu) => user(vu)));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! : NaN);
  const mean = (total: number) => (latencies.length ? total / latencies.length : 0).toFixed(0);
  const note = `mean send ${mean(steps.send)} ms, delivery ${mean(steps.delivery)} ms, verify ${mean(steps.verify)} ms`;
  return { rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99), errors, non2xx, note };
}
