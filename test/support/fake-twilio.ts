import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { JsonApiFake } from './json-api-fake.js';

export interface TwilioRequest {
  resource: 'Messages' | 'Calls';
  accountSid: string;
  /** Decoded from the Basic authorization header. */
  auth: { user: string; password: string } | null;
  contentType: string;
  form: Record<string, string>;
  /** What the fake answered. */
  status: number;
}

export interface StatusCallback {
  url: string;
  form: Record<string, string>;
  /** What our server answered. */
  status: number;
  body: string;
}

/**
 * A real HTTP server on loopback speaking the two Twilio REST endpoints the server uses
 * (Messages.json, Calls.json). It records every request and can be told to fail. Like Twilio, it
 * reports the final status of every accepted message or call to the request's StatusCallback,
 * signed with the auth token it is given.
 */
export class FakeTwilio extends JsonApiFake {
  readonly requests: TwilioRequest[] = [];
  private failures: number[] = [];
  /** Numbers answered with Twilio's 400 "21211 invalid 'To' phone number". */
  readonly invalidNumbers = new Set<string>();
  /** Numbers whose WhatsApp messages are answered 400 "63003 channel could not find the To address" (no WhatsApp account). */
  readonly noWhatsappNumbers = new Set<string>();
  /** Numbers whose accepted messages end `undelivered` (30003 unreachable handset) instead of `delivered`. */
  readonly unreachableNumbers = new Set<string>();
  readonly callbacks: StatusCallback[] = [];

  /** @param authToken signs the status callbacks, as Twilio does with the account's auth token. */
  constructor(private readonly authToken = 'fake-twilio-token') {
    super();
  }

  /** The next `count` requests get `status` (e.g. 500) whatever they hold. */
  failNext(count: number, status = 500): void {
    for (let i = 0; i < count; i++) this.failures.push(status);
  }

  /** Requests that were answered 201, i.e. messages Twilio accepted. */
  delivered(to?: string): TwilioRequest[] {
    return this.requests.filter((r) => r.status === 201 && (to === undefined || r.form.To === to || r.form.To === `whatsapp:${to}`));
  }

  async waitForDelivered(to: string, count = 1, timeoutMs = 15_000): Promise<TwilioRequest> {
    const deadline = Date.now() + timeoutMs;
    while (this.delivered(to).length < count) {
      if (Date.now() > deadline) throw new Error(`No delivery #${count} to ${to} within ${timeoutMs} ms (requests: ${JSON.stringify(this.requests)})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.delivered(to)[count - 1]!;
  }

  /** The code in the `count`-th accepted message or call to `to`. */
  async codeFor(to: string, count = 1): Promise<string> {
    return codeIn(await this.waitForDelivered(to, count));
  }

  protected async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) return { status: 404, body: { code: 20404, message: 'Not found', status: 404 } };
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    const decoded = basic ? Buffer.from(basic[1]!, 'base64').toString('utf8') : null;
    const auth = decoded ? { user: decoded.slice(0, decoded.indexOf(':')), password: decoded.slice(decoded.indexOf(':') + 1) } : null;
    const record: TwilioRequest = {
      resource: match[2] as 'Messages' | 'Calls',
      accountSid: match[1]!,
      auth,
      contentType: req.headers['content-type'] ?? '',
      form,
      status: 201,
    };
    this.requests.push(record);
    const failure = this.failures.shift();
    const to = (form.To ?? '').replace(/^whatsapp:/, '');
    let answer: { status: number; body: unknown };
    if (failure !== undefined) answer = { status: failure, body: { code: 20500, message: 'Internal Server Error', status: failure } };
    else if (this.invalidNumbers.has(to)) {
      answer = { status: 400, body: { code: 21211, message: `The 'To' number ${form.To} is not a valid phone number.`, status: 400 } };
    } else if (form.To?.startsWith('whatsapp:') && this.noWhatsappNumbers.has(to)) {
      answer = { status: 400, body: { code: 63003, message: 'Channel could not find To address', status: 400 } };
    } else answer = { status: 201, body: { sid: `${record.resource === 'Calls' ? 'CA' : 'SM'}${String(this.requests.length).padStart(32, '0')}`, status: 'queued' } };
    record.status = answer.status;
    const sid = (answer.body as { sid?: string }).sid;
    if (sid && form.StatusCallback) this.reportStatus(form.StatusCallback, record.resource, sid, to);
    return answer;
  }

  /** Messages and calls that Twilio accepted move on at the carrier a moment later. */
  private reportStatus(url: string, resource: 'Messages' | 'Calls', sid: string, to: string): void {
    const unreachable = this.unreachableNumbers.has(to);
    const form: Record<string, string> =
      resource === 'Calls'
        ? { CallSid: sid, CallStatus: unreachable ? 'no-answer' : 'completed', To: to }
        : { MessageSid: sid, MessageStatus: unreachable ? 'undelivered' : 'delivered', To: to, ...(unreachable ? { ErrorCode: '30003' } : {}) };
    // Real callbacks come seconds later; half a second keeps them behind the worker recording `sent`.
    setTimeout(() => void this.postStatus(url, form), 500);
  }

  private async postStatus(url: string, form: Record<string, string>): Promise<void> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sign(this.authToken, url, form) },
      body: new URLSearchParams(form).toString(),
    }).catch(() => null);
    this.callbacks.push({ url, form, status: response?.status ?? 0, body: (await response?.text().catch(() => '')) ?? '' });
  }

}

/** The code in a Twilio request: the first run of digits in a message body, or the digits a call's TwiML reads out. */
export function codeIn(request: TwilioRequest): string {
  if (request.resource === 'Calls') {
    const spoken = [...request.form.Twiml!.matchAll(/<Say[^>]*>(\d)<\/Say>/g)].map((m) => m[1]).join('');
    // The digits are read twice.
    return spoken.slice(0, spoken.length / 2);
  }
  const match = /\b(\d{4,10})\b/.exec(request.form.Body ?? '');
  if (!match) throw new Error(`No code in ${request.form.Body}`);
  return match[1]!;
}

/** Twilio's documented signature, written out again here so the fake does not trust our own implementation. */
function sign(authToken: string, url: string, form: Record<string, string>): string {
  let data = url;
  for (const name of Object.keys(form).sort()) data += name + form[name];
  return createHmac('sha1', authToken).update(data).digest('base64');
}
