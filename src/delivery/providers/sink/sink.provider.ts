import type { RedisClient } from '../../../redis/redis-client.js';
import type { MessageProvider, OutboundMessage, ProviderResult } from '../../delivery.types.js';

/** How long the sink keeps the messages of one recipient. */
const KEEP_MS = 60_000;

/** The Redis list where the sink keeps the text of the messages sent to `to` (newest last). */
export function sinkKey(to: string): string {
  return `otp-sink:{${to}}`;
}

/**
 * Benchmarks and load tests only: records each message and drops it, after an optional delay that
 * stands in for a real provider's latency. AppConfig refuses it when NODE_ENV=production.
 *
 * The record is the message text pushed onto a per-recipient Redis list that expires after a minute:
 * a load generator on another host or process reads codes from it (BLPOP) as a user reads mail, it
 * needs no extra listener or file shared between API, workers and bench, and it lives only in the
 * deployment's own Redis. Nothing is logged.
 */
export class SinkProvider implements MessageProvider {
  readonly name = 'sink';

  constructor(
    private readonly redis: RedisClient,
    private readonly delayMs: number,
  ) {}

  async send(message: OutboundMessage): Promise<ProviderResult> {
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const key = sinkKey(message.to);
    await this.redis.multi().rpush(key, message.text).pexpire(key, KEEP_MS).exec();
    return {};
  }
}
