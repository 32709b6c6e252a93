import { Agent, request } from 'node:http';
import { Redis } from 'ioredis';

export interface CycleResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Mean time of each step of a successful cycle. */
  note: string;
}

/** What one virtual user does with one server; `code` waits for the message and reads its code. */
export interface CycleUser {
  send(loginId: string): Promise<number>;
  code(loginId: string): Promise<string | undefined>;
  /** The status, and whether the answer holds a session. */
  verify(loginId: string, code: string): Promise<{ status: number; session: boolean }>;
  close(): void;
}

/** A server under test, as the cycle sees it: how to open one virtual user on it. */
export interface CycleTarget {
  user(vu: number): CycleUser;
  close(): void;
}

/** A keep-alive HTTP poster of JSON bodies, for one base URL. */
export class JsonClient {
  private readonly agent: Agent;
  private readonly url: URL;

  constructor(baseUrl: string, maxSockets: number) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
    this.url = new URL(baseUrl);
  }

  send(method: 'GET' | 'POST', path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? '' : JSON.stringify(body);
      const req = request(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: this.url.port,
          method,
          path,
          headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}), ...headers },
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
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * This project: sign-up-or-in, wait for a worker to deliver the message to the sink (BLPOP on the
 * recipient's list), verify. Virtual users are spread over the API processes.
 */
export function ourTarget(options: { baseUrls: string[]; bearer: string; redisUrl: string; connections: number; sinkKey: (to: string) => string }): CycleTarget {
  const clients = options.baseUrls.map((url) => new JsonClient(url, options.connections));
  const auth = { authorization: `Bearer ${options.bearer}` };
  return {
    user(vu) {
      const client = clients[vu % clients.length]!;
      const mailbox = new Redis(options.redisUrl);
      return {
        send: async (loginId) => (await client.send('POST', '/v1/auth/otp/signup-in/email', { loginId }, auth)).status,
        code: async (loginId) => {
          const popped = await mailbox.blpop(options.sinkKey(loginId), 10);
          return (popped && /verification code is (\d+)/.exec(popped[1])?.[1]) || undefined;
        },
        verify: async (loginId, code) => {
          const { status, text } = await client.send('POST', '/v1/auth/otp/verify/email', { loginId, code }, auth);
          return { status, session: status === 200 && Boolean((JSON.parse(text) as { sessionJwt?: string }).sessionJwt) };
        },
        close: () => mailbox.disconnect(),
      };
    },
    close: () => clients.forEach((c) => c.close()),
  };
}

/** better-auth's email-OTP plugin (bench/peer-server.ts): the code is in the server's memory as soon as the send answers. */
export function peerTarget(options: { baseUrl: string; connections: number }): CycleTarget {
  const client = new JsonClient(options.baseUrl, options.connections);
  return {
    user: () => ({
      send: async (email) => (await client.send('POST', '/api/auth/email-otp/send-verification-otp', { email, type: 'sign-in' })).status,
      code: async (email) => {
        const { status, text } = await client.send('GET', `/bench/code?email=${encodeURIComponent(email)}`, undefined);
        return status === 200 ? (JSON.parse(text) as { code: string }).code : undefined;
      },
      verify: async (email, otp) => {
        const { status, text } = await client.send('POST', '/api/auth/sign-in/email-otp', { email, otp });
        return { status, session: status === 200 && Boolean((JSON.parse(text) as { token?: string }).token) };
      },
      close: () => undefined,
    }),
    close: () => client.close(),
  };
}

/**
 * The full sign-in cycle of new users, each step waiting on the one before (which is why this is a
 * loop of virtual users and not autocannon): request a code for a new address, wait for the message
 * and read the code from it, verify, get the session. The latency is that of the whole cycle.
 */
export async function runCycles(target: CycleTarget, options: { connections: number; durationMs: number }): Promise<CycleResult> {
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  const steps = { send: 0, delivery: 0, verify: 0 };
  const started = performance.now();
  const deadline = started + options.durationMs;

  const user = async (vu: number) => {
    const client = target.user(vu);
    try {
      for (let n = 0; performance.now() < deadline; n++) {
        const loginId = `cycle-${run}-${vu}-${n}@bench.test`;
        const t0 = performance.now();
        try {
          if ((await client.send(loginId)) !== 200) {
            non2xx++;
            continue;
          }
          const t1 = performance.now();
          const code = await client.code(loginId);
          const t2 = performance.now();
          if (!code) {
            errors++;
            continue;
          }
          if (!(await client.verify(loginId, code)).session) {
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
      client.close();
    }
  };

  await Promise.all(Array.from({ length: options.connections }, (_, vu) => user(vu)));
  const seconds = (performance.now() - started) / 1000;
  target.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! : NaN);
  const mean = (total: number) => (latencies.length ? total / latencies.length : 0).toFixed(0);
  const note = `mean send ${mean(steps.send)} ms, delivery ${mean(steps.delivery)} ms, verify ${mean(steps.verify)} ms`;
  return { rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99), errors, non2xx, note };
}
