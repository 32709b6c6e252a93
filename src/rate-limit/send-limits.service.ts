import { createHash, randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { DomainError } from '../common/errors/domain-error.js';
import { type Channel, isPhoneChannel } from '../channels/channels.js';
import type { Project } from '../projects/projects.service.js';
import { InjectRedis } from '../redis/redis.module.js';
import { looksLikePhone, parsePhone } from '../users/phone.js';
import { canonicalRecipient } from './canonical-recipient.js';
import { BUDGET_SCRIPT, PREFIX_SCRIPT, RECIPIENT_SCRIPT } from './rate-limit.lua.js';

type LimitsRedis = Redis & {
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
    redis.defineCommand('rlRecipient', { numberOfKeys: 3, lua: RECIPIENT_SCRIPT });
    redis.defineCommand('rlBudget', { numberOfKeys: 1, lua: BUDGET_SCRIPT });
    redis.defineCommand('rlPrefix', { numberOfKeys: 1, lua: PREFIX_SCRIPT });
    this.redis = redis as LimitsRedis;
  }

  /**
   * Throws RATE_LIMITED (with the seconds to wait) when a message to `recipient` may not be sent now.
   * The per-recipient limits always apply, keyed on the mailbox or number (canonicalRecipient); the
   * project's message budget only to a `newRecipient`, so that a flood of sends to new addresses
   * cannot stop the users whose addresses are verified from signing in; the prefix velocity of
   * SMS pumping likewise. The recipient's cap counts per `client` (IP, IPv6 /64) too. A `decoy`
   * (anti-enumeration) may name a login ID that is no address: number checks are skipped for it then.
   */
  async assertCanSend(project: Project, channel: Channel, recipient: string, kind: { newRecipient: boolean; client: string; decoy?: boolean }): Promise<void> {
    const { settings } = project;
    if (isPhoneChannel(channel) && !(kind.decoy && !looksLikePhone(recipient, channel))) {
      this.assertRecipientAllowed(project, channel, recipient);
      if (kind.newRecipient) await this.assertPrefixVelocity(project, recipient);
    }
    // The address is hashed into the key: recipients (and client IPs) never appear in Redis key names.
    const tag = `rl:{${digest(project.id, canonicalRecipient(channel, recipient))}}`;
    const [refused, waitMs] = await this.redis.rlRecipient(
      `${tag}:cool`,
      `${tag}:log`,
      `${tag}:log:${digest(normalizeIp(kind.client))}`,
      settings.recipientCooldownSeconds * 1000,
      settings.recipientLimit,
      settings.recipientWindowSeconds * 1000,
      randomUUID(),
      settings.recipientIpLimit,
    );
    if (refused === 1) throw new DomainError('RATE_LIMITED', 'A code was sent to this address moments ago: wait before asking again', seconds(waitMs!));
    if (refused === 2) throw new DomainError('RATE_LIMITED', 'Too many codes sent to this address: try again later', seconds(waitMs!));
    if (refused === 3) throw new DomainError('RATE_LIMITED', 'Too many codes sent to this address from this client: try again later', seconds(waitMs!));
    if (!kind.newRecipient) return;

    const budget = settings[BUDGET_SETTING[channel]];
    const [used, ttlMs] = await this.redis.rlBudget(`rl:{${digest(project.id, channel)}}:budget`, budget, settings.messageBudgetWindowSeconds * 1000);
    if (used! > budget) {
      if (used === budget + 1) {
        // Once per window: an operator must know that users can no longer sign in.
        this.logger.error({ msg: 'ALERT: project message budget exhausted; sends refused until the window ends', alert: true, projectId: project.id, channel, budget });
      }
      throw new DomainError('RATE_LIMITED', `The project's ${channel} message budget is used up: try again later`, seconds(ttlMs!));
    }
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

  /** SMS pumping defence, the counted part: a prefix must not be getting codes for many numbers at once. */
  private async assertPrefixVelocity(project: Project, e164: string): Promise<void> {
    const { settings } = project;
    const prefix = e164.slice(0, -4);
    const [refused, waitMs] = await this.redis.rlPrefix(
      `rl:{${digest(project.id, 'prefix', prefix)}}:prefix`,
      settings.prefixRecipientLimit,
      settings.prefixWindowSeconds * 1000,
      digest(e164),
    );
    if (refused === 1) throw new DomainError('RATE_LIMITED', `Too many numbers starting with ${prefix} got codes recently: try again later`, seconds(waitMs!));
  }
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('base64url').slice(0, 22);
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
