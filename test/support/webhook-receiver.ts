import { createServer, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  headers: Record<string, string>;
  raw: string;
  /** The body as verified by the standardwebhooks library; null when the signature did not verify. */
  payload: Record<string, any> | null;
  verifyError?: string;
  status: number;
}

/**
 * A real HTTP endpoint on loopback that checks Standard Webhooks signatures with the reference
 * library, for `secret`: the delivery webhook provider's, or a project's status webhook.
 */
export class WebhookReceiver {
  static readonly SECRET = `whsec_${Buffer.from('e2e-webhook-secret-0123456789abcdef').toString('base64')}`;
  readonly received: ReceivedWebhook[] = [];
  private server!: Server;
  private failures: number[] = [];
  private readonly verifier: Webhook;
  port = 0;

  constructor(secret = WebhookReceiver.SECRET) {
    this.verifier = new Webhook(secret);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        const entry: ReceivedWebhook = { headers, raw, payload: null, status: 204 };
        try {
          entry.payload = this.verifier.verify(raw, headers) as Record<string, any>;
        } catch (error) {
          entry.verifyError = (error as Error).message;
          entry.status = 401;
        }
        const failure = this.failures.shift();
        if (failure !== undefined) entry.status = failure;
        this.received.push(entry);
        res.writeHead(entry.status).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/deliveries`;
  }

  /** Every payload received so far; fails if one did not verify. */
  payloads<T>(): T[] {
    return this.received.map((r) => {
      if (!r.payload) throw new Error(`A webhook did not verify: ${r.verifyError}`);
      return r.payload as T;
    });
  }

  failNext(count: number, status = 500): void {
    for (let i = 0; i < count; i++) this.failures.push(status);
  }

  /** Accepted (2xx) deliveries to `to`, oldest first. */
  delivered(to: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.status < 300 && r.payload?.to === to);
  }

  async waitForDelivered(to: string, count = 1, timeoutMs = 15_000): Promise<ReceivedWebhook> {
    const deadline = Date.now() + timeoutMs;
    while (this.delivered(to).length < count) {
      if (Date.now() > deadline) throw new Error(`No webhook #${count} for ${to} within ${timeoutMs} ms (got ${JSON.stringify(this.received)})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.delivered(to)[count - 1]!;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
