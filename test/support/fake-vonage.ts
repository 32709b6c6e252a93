import type { IncomingMessage } from 'node:http';
import { JsonApiFake } from './json-api-fake.js';

export interface VonageRequest {
  contentType: string;
  /** The parameters, decoded from the form or JSON body. */
  params: Record<string, string>;
  /** The `status` of the (single) message in the answer: "0" accepted, anything else refused. */
  status: string;
}

/**
 * A real HTTP server on loopback speaking Vonage's SMS API (POST /sms/json, form or JSON body,
 * credentials in the body). Like Vonage it answers HTTP 200 with a per-message `status`, "0" when
 * accepted; it records every request and can be told to refuse.
 */
export class FakeVonage extends JsonApiFake {
  static readonly API_KEY = 'e2ekey01';
  static readonly API_SECRET = 'e2e-vonage-api-secret-5f3c9a';

  readonly requests: VonageRequest[] = [];
  /** Numbers (E.164, with the `+`) answered status 3 "Invalid Parameters" (an unroutable number). */
  readonly invalidNumbers = new Set<string>();
  private refusals: string[] = [];

  /** The next `count` requests are answered with Vonage `status` (e.g. "1", throttled) whatever they hold. */
  refuseNext(count: number, status = '1'): void {
    for (let i = 0; i < count; i++) this.refusals.push(status);
  }

  /** Requests to `to` (E.164, with the `+`). */
  to(to: string): VonageRequest[] {
    return this.requests.filter((r) => `+${r.params.to}` === to);
  }

  async waitForAccepted(to: string, count = 1, timeoutMs = 15_000): Promise<VonageRequest> {
    const deadline = Date.now() + timeoutMs;
    const accepted = () => this.to(to).filter((r) => r.status === '0');
    while (accepted().length < count) {
      if (Date.now() > deadline) throw new Error(`No accepted SMS #${count} to ${to} within ${timeoutMs} ms (requests: ${JSON.stringify(this.requests)})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return accepted()[count - 1]!;
  }

  /** The code in the `count`-th accepted SMS to `to`. */
  async codeFor(to: string, count = 1): Promise<string> {
    const text = (await this.waitForAccepted(to, count)).params.text ?? '';
    const match = /\b(\d{4,10})\b/.exec(text);
    if (!match) throw new Error(`No code in ${text}`);
    return match[1]!;
  }

  protected async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/sms/json') return { status: 404, body: { type: 'NOT_FOUND' } };
    const raw = Buffer.concat(chunks).toString('utf8');
    const contentType = req.headers['content-type'] ?? '';
    const params: Record<string, string> = contentType.startsWith('application/json')
      ? (JSON.parse(raw) as Record<string, string>)
      : Object.fromEntries(new URLSearchParams(raw));
    const record: VonageRequest = { contentType, params, status: '0' };
    this.requests.push(record);
    const refusal = this.refusals.shift();
    let message: Record<string, string>;
    if (!params.api_key || !params.api_secret || !params.from || !params.to || !params.text) {
      message = { status: '2', 'error-text': 'Missing params' };
    } else if (params.api_key !== FakeVonage.API_KEY || params.api_secret !== FakeVonage.API_SECRET) {
      message = { status: '4', 'error-text': 'Bad Credentials' };
    } else if (refusal !== undefined) message = { status: refusal, 'error-text': refusal === '1' ? 'Throughput Rate Exceeded - please wait [ 1000 ] and retry' : 'Internal Error' };
    else if (this.invalidNumbers.has(`+${params.to}`)) message = { status: '3', 'error-text': 'Invalid Message' };
    else message = { to: params.to, 'message-id': `MSG${String(this.requests.length).padStart(13, '0')}`, status: '0', 'remaining-balance': '10.0', 'message-price': '0.03', network: '21407' };
    record.status = message.status!;
    return { status: 200, body: { 'message-count': '1', messages: [message] } };
  }

}
