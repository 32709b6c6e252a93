import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { numericCode } from '../common/crypto/random.js';
import { SecretsService } from '../common/crypto/secrets.service.js';
import { DomainError } from '../common/errors/domain-error.js';
import { InjectRedis } from '../redis/redis.module.js';
import { ALLOW_CHANNEL_SCRIPT, ATTEMPT_SCRIPT, CONSUME_SCRIPT, ISSUE_SCRIPT } from './otp-store.lua.js';
import type { AttemptBudget, Channel, ChallengeContext, IssuedChallenge, OtpPolicy, PreparedChallenge, Purpose, VerifiedChallenge } from './otp.types.js';

/** How long a dead challenge is kept after expiry, so late attempts say "expired" or "locked". */
const RETENTION_MS = 15 * 60 * 1000;

type OtpRedis = Redis & {
  otpIssue(key: string, ...args: (string | number)[]): Promise<number>;
  otpAllowChannel(key: string, id: string, channel: string): Promise<number>;
  otpAttempt(key: string, log: string, clientLog: string, limit: number, clientLimit: number, windowMs: number, client: string, channel: string): Promise<string[]>;
  otpConsume(key: string, log: string, clientLog: string, id: string, member: string): Promise<number>;
};

/**
 * Issues and verifies one-time codes. Codes are never stored: the challenge keeps an HMAC of the
 * code bound to project, login ID, the channel it was issued for, purpose and challenge ID.
 *
 * A login ID has one live challenge, whatever its purpose: a new code of any purpose over any
 * channel replaces it. Verify requests carry no purpose, so one key per login ID is what lets a
 * verify find the code the user is looking at without comparing a guess against several codes.
 */
@Injectable()
export class OtpService {
  private readonly redis: OtpRedis;

  constructor(
    @InjectRedis() redis: Redis,
    private readonly secrets: SecretsService,
  ) {
    redis.defineCommand('otpIssue', { numberOfKeys: 1, lua: ISSUE_SCRIPT });
    redis.defineCommand('otpAllowChannel', { numberOfKeys: 1, lua: ALLOW_CHANNEL_SCRIPT });
    redis.defineCommand('otpAttempt', { numberOfKeys: 3, lua: ATTEMPT_SCRIPT });
    redis.defineCommand('otpConsume', { numberOfKeys: 3, lua: CONSUME_SCRIPT });
    this.redis = redis as OtpRedis;
  }

  async issue(
    projectId: string,
    loginId: string,
    channel: Channel,
    purpose: Purpose,
    policy: OtpPolicy,
    context: ChallengeContext,
  ): Promise<IssuedChallenge> {
    const { challengeId, code, expiresAt, store } = this.prepare(projectId, loginId, channel, purpose, policy, context);
    await store();
    return { challengeId, code, expiresAt };
  }

  /** A new challenge, stored by its `store()` or by a script that runs ISSUE_STEP with other steps. */
  prepare(projectId: string, loginId: string, channel: Channel, purpose: Purpose, policy: OtpPolicy, context: ChallengeContext): PreparedChallenge {
    const challengeId = randomUUID();
    const code = numericCode(policy.length);
    const expiresAt = Date.now() + policy.expirySeconds * 1000;
    const hash = this.hash(projectId, loginId, channel, purpose, challengeId, code);
    const key = challengeKey(projectId, loginId);
    const args = [challengeId, hash, purpose, expiresAt, policy.maxAttempts, JSON.stringify(context), policy.expirySeconds * 1000 + RETENTION_MS, channel];
    const store = async () => {
      await this.redis.otpIssue(key, ...args);
    };
    return { challengeId, code, expiresAt, key, args, store };
  }

  /**
   * Lets challenge `challengeId` verify over `channel` too: its delivery fell back to that channel.
   * A no-op when a newer code has replaced the challenge.
   */
  async allowChannel(projectId: string, loginId: string, challengeId: string, channel: Channel): Promise<void> {
    await this.redis.otpAllowChannel(challengeKey(projectId, loginId), challengeId, channel);
  }

  /** The login ID's live challenge and the channels it went over (first the one it was issued for); null when it has none. */
  async current(projectId: string, loginId: string): Promise<{ challengeId: string; channels: Channel[] } | null> {
    const [challengeId, channels] = await this.redis.hmget(challengeKey(projectId, loginId), 'id', 'ch');
    return challengeId && channels ? { challengeId, channels: channels.split(',').filter(Boolean) as Channel[] } : null;
  }

  /**
   * Verifies and consumes the login ID's live challenge if it went over `channel`; throws
   * WRONG_CODE, EXPIRED_CODE, TOO_MANY_ATTEMPTS, or RATE_LIMITED when the login ID, or this client
   * for this login ID, has spent its wrong-attempt budget (across codes and channels).
   */
  async verify(projectId: string, loginId: string, channel: Channel, code: string, budget: AttemptBudget): Promise<VerifiedChallenge> {
    const log = attemptLogKey(projectId, loginId);
    const client = createHash('sha256').update(budget.client).digest('base64url').slice(0, 16);
    const clientLog = `${log}:${client}`;
    const key = challengeKey(projectId, loginId);
    const found = await this.redis.otpAttempt(key, log, clientLog, budget.limit, budget.clientLimit, budget.windowMs, client, channel);
    const [status, challengeId, storedHash, purpose, context, member, channels] = found;
    if (status === 'throttled') {
      const whose = storedHash === 'client' ? 'for this user from this address' : 'for this user';
      throw new DomainError('RATE_LIMITED', `Too many wrong codes ${whose}: try again later`, Math.max(1, Math.ceil(Number(challengeId) / 1000)));
    }
    if (status === 'locked') throw new DomainError('TOO_MANY_ATTEMPTS', 'Too many wrong attempts: request a new code');
    if (status === 'expired') throw new DomainError('EXPIRED_CODE', 'The code has expired: request a new code');
    if (status !== 'ok') throw new DomainError('WRONG_CODE', 'Wrong or unknown code');
    // The HMAC binds the channel the code was issued for: the first of the challenge's channels.
    const issuedFor = channels!.split(',')[1] as Channel;
    const candidate = this.hash(projectId, loginId, issuedFor, purpose as Purpose, challengeId!, code);
    if (!SecretsService.equalDigests(candidate, storedHash!)) throw new DomainError('WRONG_CODE', 'Wrong or unknown code');
    // Two verifies of one right code can both get here; only the one that deletes the challenge wins.
    if ((await this.redis.otpConsume(key, log, clientLog, challengeId!, member!)) !== 1) throw new DomainError('WRONG_CODE', 'Wrong or unknown code');
    return { challengeId: challengeId!, purpose: purpose as Purpose, context: JSON.parse(context!) as ChallengeContext };
  }

  private hash(projectId: string, loginId: string, channel: Channel, purpose: Purpose, challengeId: string, code: string): string {
    return this.secrets.hmac('otp-hash', projectId, loginId, channel, purpose, challengeId, code);
  }
}

/**
 * The challenge key. Project and login ID are hashed into a hash tag: it keeps the login ID out of
 * key names and puts every key of one login ID in one Redis Cluster slot.
 */
export function challengeKey(projectId: string, loginId: string): string {
  return `otp:{${loginTag(projectId, loginId)}}:challenge`;
}

/** The login ID's wrong-attempt log; same hash tag as its challenges, so one script can touch both. Per-client logs extend its name. */
function attemptLogKey(projectId: string, loginId: string): string {
  return `otp:{${loginTag(projectId, loginId)}}:attempts`;
}

export function loginTag(projectId: string, loginId: string): string {
  return createHash('sha256').update(`${projectId}\0${loginId}`).digest('base64url').slice(0, 22);
}
