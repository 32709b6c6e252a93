import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  raw: string;
}

/** A real SMTP server on loopback that keeps every message it accepts. */
export class SmtpSink {
  readonly messages: ReceivedMail[] = [];
  private server!: SMTPServer;
  private waiters: (() => void)[] = [];
  port = 0;
  /** When set, RCPT TO for these addresses is refused with a permanent 550. */
  readonly rejected = new Set<string>();
  /** When set, RCPT TO for these addresses is refused with a temporary 451 (the sender should retry). */
  readonly deferred = new Set<string>();
  /** Milliseconds each message is held before it is accepted (a slow server). */
  delayMs = 0;

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (this.rejected.has(address.address.toLowerCase())) {
          const error = new Error('Mailbox unavailable') as Error & { responseCode: number };
          error.responseCode = 550;
          return callback(error);
        }
        if (this.deferred.has(address.address.toLowerCase())) {
          const error = new Error('Try again later') as Error & { responseCode: number };
          error.responseCode = 451;
          return callback(error);
        }
        callback();
      },
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', async () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
          const parsed: ParsedMail = await simpleParser(raw);
          const to = ([] as { value: { address?: string }[] }[])
            .concat(parsed.to ?? [])
            .flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
          this.messages.push({ to, subject: parsed.subject ?? '', text: parsed.text ?? '', html: String(parsed.html ?? ''), raw });
          for (const wake of this.waiters.splice(0)) wake();
          callback();
        });
      },
    });
    // A sender killed mid-message resets its connection; that is a test scenario, not a sink failure.
    this.server.on('error', () => {});
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as { port: number }).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Messages to `address`, oldest first. */
  to(address: string): ReceivedMail[] {
    return this.messages.filter((m) => m.to.includes(address.toLowerCase()));
  }

  /** Waits until `count` messages have reached `address` and returns the newest. */
  async waitFor(address: string, count = 1, timeoutMs = 10_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    while (this.to(address).length < count) {
      if (Date.now() > deadline) throw new Error(`No message #${count} for ${address} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.to(address).at(-1)!;
  }

  /** Waits for the `count`-th message to `address` and returns the code in it. */
  async codeFor(address: string, count = 1, timeoutMs = 10_000): Promise<string> {
    const mail = await this.waitFor(address, count, timeoutMs);
    return extractCode(mail.text);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function extractCode(text: string): string {
  const match = /\b(\d{4,10})\b/.exec(text);
  if (!match) throw new Error(`No code in message: ${text}`);
  return match[1]!;
}
