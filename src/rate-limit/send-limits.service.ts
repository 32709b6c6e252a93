import { createHash, randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { DomainError } from '../common/errors/domain-error.js';
import { type Channel, isPhoneChannel } from '../channels/channels.js';
import type { PreparedChallenge } from '../otp/otp.types.js';
import type { Project } from '../projects/projects.service.js';
import { InjectRedis } from '../redis/redis.module.js';
import { looksLikePhone, parsePhone } from '../users/phone.js';
import { canonicalRecipient } from './canonical-recipient.js';
import { BUDGET_SCRIPT, PREFIX_SCRIPT, RECIPIENT_SCRIPT, SEND_SCRIPT } from './rate-limit.lua.js';

type LimitsRedis = Redis & {
  rlSend(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<(string | number)[]>;
  rlRecipient(cooldown: string, log: string, clientLog: string, cooldownMs: number, limit: number, windowMs: number, member: string, clientLimit: number): Promise<number[]>;
  rlBudget(counter: string, limit: number, windowMs: number): Promise<number[]>;
  rlPrefix(set: string, limit: number, windowMs: number, member: string): Promise<number[]>;
};

/** Number types that cost the sender more than a normal call or text, or whose cost is unknown: SMS pumping's targets. */
const REFUSED_TYPES: Record<string, string> = {
  PREMIUM_RATE: 'premium-rate',
  SHARED_COST: 'shared-cost',
};

const BUDGET_SETTING = {
  email: 'messageBudgetEmail',
  sms: 'messageBudgetSms',
  voice: 'messageBudgetVoice',
  whatsapp: 'messageBudgetWhatsapp',
} as const;

/**
 * The limits on sending that do not depend on who asks: per recipient (cooldown and cap, across
 * all IPs) and per project (message budget per channel, for new recipients). Called by the use cases before a message
 * is queued, so every route that sends is covered the same way.
 */
@Injectable()
export class SendLimitsService {
  private readonly logger = new Logger('RateLimit');
  private readonly redis: LimitsRedis;
  /** Projects already warned about an empty allowedCountries in this process. */
  private readonly warnedOpenCountries = new Set<string>();

  constructor(@InjectRedis() redis: Redis) {
    // Its number of keys depends on the steps that run: passed first on each call.
    redis.defineCommand('rlSend', { lua: SEND_SCRIPT });
    redis.defineCommand('rlRecipient', { numberOfKeys: 3, lua: RECIPIENT_SCRIPT });
    redis.defineCommand('rlBudget', { numberOfKeys: 1, lua: BUDGET_SCRIPT });
    redis.defineCommand('rlPrefix', { numberOfKeys: 1, lua: PREFIX_SCRIPT });
    this.redis = redis as LimitsRedis;
  }

  /**
   * Throws RATE_LIMITED (with the seconds to wait) when a message to `recipient` may not be sent now,
   * and otherwise stores `challenge`. The per-recipient limits always apply, keyed on the mailbox or
   * number (canonicalRecipient); the project's message budget only to a `newRecipient`, so that a
   * flood of sends to new addresses cannot stop the users whose addresses are verified from signing
   * in; the prefix velocity of SMS pumping likewise. The recipient's cap counts per `client` (IP,
   * IPv6 /64) too. A `decoy` (anti-enumeration) may name a login ID that is no address: number
   * checks are skipped for it then. On a single Redis every step is one script (one round trip a
   * send); on Redis Cluster their keys live in different slots, so the steps run one by one.
   */
  async issueWithinLimits(
    project: Project,
    channel: Channel,
    recipient: string,
    kind: { newRecipient: boolean; client: string; decoy?: boolean },
    challenge: PreparedChallenge,
  ): Promise<void> {
    const { settings } = project;
    let prefix: Step | undefined;
    if (isPhoneChannel(channel) && !(kind.decoy && !looksLikePhone(recipient, channel))) {
      this.assertRecipientAllowed(project, channel, recipient);
      if (kind.newRecipient) prefix = prefixStep(project, recipient);
    }
    // The address is hashed into the key: recipients (and client IPs) never appear in Redis key names.
    const tag = `rl:{${digest(project.id, canonicalRecipient(channel, recipient))}}`;
    const limits: Step = {
      keys: [`${tag}:cool`, `${tag}:log`, `${tag}:log:${digest(normalizeIp(kind.client))}`],
      args: [
        settings.recipientCooldownSeconds * 1000,
        settings.recipientLimit,
        settings.recipientWindowSeconds * 1000,
        randomUUID(),
        settings.recipientIpLimit,
      ],
    };
    const limit = settings[BUDGET_SETTING[channel]];
    const budget: Step | undefined = kind.newRecipient
      ? { keys: [`rl:{${digest(project.id, channel)}}:budget`], args: [limit, settings.messageBudgetWindowSeconds * 1000] }
      : undefined;

    if (!this.redis.isCluster) {
      const steps = [prefix, limits, budget, { keys: [challenge.key], args: challenge.args }].filter((step) => step !== undefined);
      const result = await this.redis.rlSend(
        steps.flatMap((step) => step.keys).length,
        ...steps.flatMap((step) => step.keys),
        `${prefix ? 'p' : ''}${budget ? 'b' : ''}`,
        ...steps.flatMap((step) => step.args),
      );
      const [refused, first, second] = result as [string, number, number];
      if (refused === 'prefix') this.refusePrefix(recipient, first);
      if (refused === 'recipient') this.refuseRecipient(first, second);
      if (refused === 'budget') this.refuseBudget(project, channel, limit, first, second);
      return;
    }
    if (prefix) {
      const [refused, waitMs] = await this.redis.rlPrefix(prefix.keys[0]!, ...(prefix.args as [number, number, string]));
      if (refused === 1) this.refusePrefix(recipient, waitMs!);
    }
    const [refused, waitMs] = await this.redis.rlRecipient(...(limits.keys as [string, string, string]), ...(limits.args as [number, number, number, string, number]));
    if (refused !== 0) this.refuseRecipient(refused!, waitMs!);
    if (budget) {
      const [used, ttlMs] = await this.redis.rlBudget(budget.keys[0]!, ...(budget.args as [number, number]));
      if (used! > limit) this.refuseBudget(project, channel, limit, used!, ttlMs!);
    }
    await challenge.store();
  }

  private refusePrefix(e164: string, waitMs: number): never {
    throw new DomainError('RATE_LIMITED', `Too many numbers starting with ${e164.slice(0, -4)} got codes recently: try again later`, seconds(waitMs));
  }

  private refuseRecipient(cap: number, waitMs: number): never {
    if (cap === 1) throw new DomainError('RATE_LIMITED', 'A code was sent to this address moments ago: wait before asking again', seconds(waitMs));
    if (cap === 2) throw new DomainError('RATE_LIMITED', 'Too many codes sent to this address: try again later', seconds(waitMs));
    throw new DomainError('RATE_LIMITED', 'Too many codes sent to this address from this client: try again later', seconds(waitMs));
  }

  private refuseBudget(project: Project, channel: Channel, budget: number, used: number, ttlMs: number): never {
    if (used === budget + 1) {
      // Once per window: an operator must know that users can no longer sign in.
      this.logger.error({ msg: 'ALERT: project message budget exhausted; sends refused until the window ends', alert: true, projectId: project.id, channel, budget });
    }
    throw new DomainError('RATE_LIMITED', `The project's ${channel} message budget is used up: try again later`, seconds(ttlMs));
  }

  /**
   * SMS pumping defence, the part that needs no counting: a phone number must be of an ordinary
   * type and of an allowed region. The sign-up routes call it before they create a user, so a
   * refused number leaves nothing behind. `recipient` is normalised (E.164).
   */
  assertRecipientAllowed(project: Project, channel: Channel, recipient: string): void {
    if (!isPhoneChannel(channel)) return;
    const phone = parsePhone(recipient);
    const { settings } = project;
    const refusedType = phone.type === undefined ? 'unknown-type' : REFUSED_TYPES[phone.type];
    if (refusedType) throw new DomainError('INVALID_REQUEST', `phone is a ${refusedType} number, to which codes are not sent`);
    if (settings.allowedCountries.length === 0) {
      if (!this.warnedOpenCountries.has(project.id)) {
        this.warnedOpenCountries.add(project.id);
        this.logger.warn({
          msg: 'project sends codes to phone numbers of every country: set allowedCountries to limit SMS pumping',
          projectId: project.id,
        });
      }
    } else if (!phone.country || !settings.allowedCountries.includes(phone.country)) {
      throw new DomainError('INVALID_REQUEST', `phone is a number of ${phone.country ?? 'no country'}, to which this project does not send codes`);
    }
  }
}

/** Keys and arguments of one step of a send (rate-limit.lua.ts). */
interface Step {
  keys: string[];
  args: (string | number)[];
}

/** SMS pumping defence, the counted part: a prefix must not be getting codes for many numbers at once. */
function prefixStep(project: Project, e164: string): Step {
  const { settings } = project;
  return {
    keys: [`rl:{${digest(project.id, 'prefix', e164.slice(0, -4))}}:prefix`],
    args: [settings.prefixRecipientLimit, settings.prefixWindowSeconds * 1000, digest(e164)],
  };
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('base64url').slice(0, 22);
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
