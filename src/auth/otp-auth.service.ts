import { Injectable, Logger } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import { isEmail } from 'class-validator';
import { DomainError } from '../common/errors/domain-error.js';
import { type AuditAction, type AuditInput, AuditService } from '../audit/audit.service.js';
import { maskEmail, maskPhone } from '../common/masking.js';
import { AppConfig } from '../config/app-config.js';
import { DeliveryQueueService } from '../delivery/delivery-queue.service.js';
import { DeliveryRecordsService } from '../delivery/delivery-records.service.js';
import type { DeliveryJobType } from '../delivery/delivery.types.js';
import { type FunnelOutcome, MetricsService } from '../metrics/metrics.service.js';
import { OtpService } from '../otp/otp.service.js';
import type { PhoneChannel } from '../channels/channels.js';
import type { Channel, ChallengeContext, Purpose, VerifiedChallenge } from '../otp/otp.types.js';
import type { Project } from '../projects/projects.service.js';
import { SendLimitsService } from '../rate-limit/send-limits.service.js';
import { assertChannelReaches, loginIdFor, looksLikePhone, parsePhone } from '../users/phone.js';
import { type AddressKind, type UserProfile, type UserRecord, UsersService } from '../users/users.service.js';
import type { JwtResponseDto } from './dto/jwt-response.dto.js';
import { type AuthenticatedSession, SessionsService } from './sessions.service.js';
import { TokensService } from './tokens.service.js';

export interface SendOptions {
  templateOptions?: Record<string, string>;
  locale?: string;
  customClaims?: Record<string, unknown>;
  requestId?: string;
  /** The client's IP: the per-recipient cap counts per client too. */
  ip?: string;
  /** Sign-in only: step-up and MFA extend the session of `refreshJwt` (the bearer's token). */
  stepup?: boolean;
  mfa?: boolean;
  revokeOtherSessions?: boolean;
  refreshJwt?: string;
}

export interface UpdateOptions extends SendOptions {
  addToLoginIDs?: boolean;
  onMergeUseExisting?: boolean;
}

export interface ClientInfo {
  userAgent?: string;
  ip?: string;
  requestId?: string;
}

export type SendResult = { maskedEmail: string } | { maskedPhone: string };

/** What a sign-up keeps in its challenge until the code comes back: the user to create. */
interface SignUpContext extends ChallengeContext {
  profile: UserProfile;
}

/** What an update flow keeps in its challenge until the code comes back. */
interface UpdateContext extends ChallengeContext {
  userId: string;
  addToLoginIDs: boolean;
  onMergeUseExisting: boolean;
  locale?: string;
  templateOptions?: Record<string, string>;
}

/**
 * The OTP use cases: send a code for sign-up, sign-in, sign-up-or-in or an address update, and
 * verify it into a session.
 */
@Injectable()
export class OtpAuthService {
  private readonly logger = new Logger(OtpAuthService.name);

  constructor(
    private readonly users: UsersService,
    private readonly otp: OtpService,
    private readonly queue: DeliveryQueueService,
    private readonly deliveries: DeliveryRecordsService,
    private readonly tokens: TokensService,
    private readonly limits: SendLimitsService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Sends the code of a sign-up. Nothing is created yet: the profile waits in the challenge, and
   * the verify creates the user (see finishSignUp).
   */
  async signUp(project: Project, channel: Channel, loginId: string, profile: UserProfile, options: SendOptions): Promise<SendResult> {
    this.assertChannelEnabled(channel);
    const normalized = loginIdFor(loginId, channel);
    const withPhone = profile.phone?.trim() ? { ...profile, phone: parsePhone(profile.phone, 'user.phone').e164 } : profile;
    const target = this.targetForSignUp(project, channel, normalized, withPhone);
    this.limits.assertRecipientAllowed(project, channel, target);
    const existing = await this.users.findByLoginId(project.id, normalized);
    if (existing) {
      if (!project.settings.antiEnumeration) throw new DomainError('USER_EXISTS', `User ${JSON.stringify(normalized)} already exists`);
      // Anti-enumeration: answer as a sign-up would; the owner of the address is told instead.
      await this.send(project, channel, 'signup', normalized, this.targetForSignIn(channel, normalized, existing), options, {}, 'account-exists');
      return masked(channel, target);
    }
    return this.send(project, channel, 'signup', normalized, target, options, { profile: this.profileWithAddress(channel, withPhone, target) });
  }

  async signIn(project: Project, channel: Channel, loginId: string, options: SendOptions): Promise<SendResult> {
    this.assertChannelEnabled(channel);
    const normalized = loginIdFor(loginId, channel);
    const record = await this.users.findByLoginId(project.id, normalized);
    if (project.settings.antiEnumeration) return this.signInQuietly(project, channel, normalized, record, options);
    if (!record) throw new DomainError('USER_NOT_FOUND', `User ${JSON.stringify(normalized)} not found`);
    this.assertEnabled(record);
    const context = await this.signInContext(project, record, options);
    return this.send(project, channel, 'signin', normalized, this.targetForSignIn(channel, normalized, record), options, context, 'otp', isVerified(record, channel));
  }

  /**
   * Anti-enumeration sign-in: the answer depends on the input only. A user who can get a code now
   * (known, enabled, with an address for the channel) gets one; for anyone else the same work is
   * done (limits, a challenge, a queued job), but the job sends nothing and the challenge never
   * verifies. The mask is computed from the login ID, `***` when it is not an address of the channel.
   */
  private async signInQuietly(project: Project, channel: Channel, loginId: string, record: UserRecord | null, options: SendOptions): Promise<SendResult> {
    const answer = inputMask(channel, loginId);
    let real: { target: string; context: Record<string, unknown> } | undefined;
    if (record && record.user.status !== 'disabled') {
      try {
        real = { target: this.targetForSignIn(channel, loginId, record), context: await this.signInContext(project, record, options) };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
      }
    }
    if (real) await this.send(project, channel, 'signin', loginId, real.target, options, real.context, 'otp', isVerified(record!, channel));
    else await this.send(project, channel, 'signin', loginId, decoyRecipient(channel, loginId), options, {}, 'none');
    return answer;
  }

  /** A sign-in for a known login ID; for a new one, a sign-up that, like signUp, creates nothing before the verify. */
  async signUpOrIn(project: Project, channel: Channel, loginId: string, options: SendOptions): Promise<SendResult> {
    this.assertChannelEnabled(channel);
    const normalized = loginIdFor(loginId, channel);
    const record = await this.users.findByLoginId(project.id, normalized);
    if (!record) {
      const target = this.targetForSignUp(project, channel, normalized, {});
      this.limits.assertRecipientAllowed(project, channel, target);
      return this.send(project, channel, 'signup-in', normalized, target, options, { profile: this.profileWithAddress(channel, {}, target) });
    }
    this.assertEnabled(record);
    return this.send(project, channel, 'signup-in', normalized, this.targetForSignIn(channel, normalized, record), options, {}, 'otp', isVerified(record, channel));
  }

  /** Sends a code to a new e-mail address of the session's user; verify/email with `loginId` applies it. */
  async updateEmail(project: Project, auth: AuthenticatedSession, loginId: string, email: string, options: UpdateOptions): Promise<SendResult> {
    const normalized = this.ownLoginId(auth, loginId, 'email');
    const address = email.trim().toLowerCase();
    if (!isEmail(address)) throw new DomainError('INVALID_REQUEST', 'email must be a valid e-mail address');
    await this.assertNoConflict(project, auth, address, options);
    return this.send(project, 'email', 'update-email', normalized, address, options, this.updateContext(auth, options));
  }

  /** Sends a code to a new phone number of the session's user over `channel`; verify/<channel> applies it. */
  async updatePhone(
    project: Project,
    auth: AuthenticatedSession,
    channel: PhoneChannel,
    loginId: string,
    phone: string,
    options: UpdateOptions,
  ): Promise<SendResult> {
    this.assertChannelEnabled(channel);
    const normalized = this.ownLoginId(auth, loginId, channel);
    const parsed = parsePhone(phone, 'phone');
    assertChannelReaches(parsed, channel, 'phone');
    await this.assertNoConflict(project, auth, parsed.e164, options);
    return this.send(project, channel, 'update-phone', normalized, parsed.e164, options, this.updateContext(auth, options));
  }

  async verify(project: Project, channel: Channel, loginId: string, code: string, client: ClientInfo): Promise<JwtResponseDto> {
    const normalized = loginIdFor(loginId, channel);
    const { loginIdWrongAttemptLimit: limit, loginIdIpWrongAttemptLimit: clientLimit, loginIdAttemptWindowSeconds: window } = project.settings;
    const event = { projectId: project.id, loginId: normalized, method: channel, ip: client.ip, userAgent: client.userAgent, requestId: client.requestId };
    let challenge;
    try {
      const budget = { limit, clientLimit, windowMs: window * 1000, client: normalizeIp(client.ip ?? '-') };
      challenge = await this.otp.verify(project.id, normalized, channel, code, budget);
      // A decoy's code was never sent: even a lucky guess must look like any wrong code.
      if (challenge.context.decoy === true) throw new DomainError('WRONG_CODE', 'Wrong or unknown code');
    } catch (error) {
      const failure = error instanceof DomainError ? VERIFY_FAILURES[error.kind] : undefined;
      if (failure) {
        this.metrics.otp(project.id, channel, failure.outcome);
        const userId = (await this.users.findByLoginId(project.id, normalized))?.user.id;
        await this.audit.record({ ...event, userId, action: failure.action, outcome: 'failure' });
      }
      throw error;
    }
    if (challenge.context.profile) {
      const { record, firstSeen } = await this.finishSignUp(project, channel, normalized, challenge);
      return this.signedIn(project, channel, challenge, record, firstSeen, event, client);
    }
    const record = await this.users.findByLoginId(project.id, normalized);
    // The user was deleted between send and verify: the code proves nothing any more.
    if (!record) throw new DomainError('WRONG_CODE', 'Wrong or unknown code');
    this.assertEnabled(record);
    if (challenge.purpose === 'update-email' || challenge.purpose === 'update-phone') {
      const response = await this.finishUpdate(project, channel, challenge, record, client);
      this.metrics.otp(project.id, channel, 'verified');
      await this.audit.record({ ...event, userId: record.user.id, action: 'address_update', outcome: 'success', detail: { purpose: challenge.purpose } });
      return response;
    }
    const firstSeen = await this.users.recordVerifiedSignIn(record.user, addressKind(channel), challenge.context.target);
    return this.signedIn(project, channel, challenge, record, firstSeen, event, client);
  }

  /**
   * The verify of a sign-up (or of a sign-up-or-in of a login ID that was new): creates the user
   * from the profile in the challenge. When the login ID was taken since the code was sent, a
   * sign-up answers USER_EXISTS; a sign-up-or-in signs in to that user if the code went to the
   * address that user has (the code proves that address), and answers USER_EXISTS otherwise.
   */
  private async finishSignUp(
    project: Project,
    channel: Channel,
    loginId: string,
    challenge: VerifiedChallenge,
  ): Promise<{ record: UserRecord; firstSeen: boolean }> {
    const { target, profile } = challenge.context as SignUpContext;
    const kind = addressKind(channel);
    try {
      return { record: await this.users.createVerified(project.id, loginId, profile, kind, target), firstSeen: true };
    } catch (error) {
      if (!(error instanceof DomainError && error.kind === 'USER_EXISTS') || challenge.purpose !== 'signup-in') throw error;
      const record = await this.users.findByLoginId(project.id, loginId);
      if (!record || record.user[kind] !== target) throw error;
      this.assertEnabled(record);
      return { record, firstSeen: await this.users.recordVerifiedSignIn(record.user, kind, target) };
    }
  }

  private async signedIn(
    project: Project,
    channel: Channel,
    challenge: VerifiedChallenge,
    record: UserRecord,
    firstSeen: boolean,
    event: Omit<AuditInput, 'action' | 'outcome'>,
    client: ClientInfo,
  ): Promise<JwtResponseDto> {
    const { priorAmr, revokeOtherSessions } = challenge.context;
    if (revokeOtherSessions === true) await this.sessions.revokeUser(project.id, record.user.id);
    this.metrics.otp(project.id, channel, 'verified');
    await this.audit.record({ ...event, userId: record.user.id, action: 'sign_in', outcome: 'success', detail: { purpose: challenge.purpose, firstSeen } });
    return this.tokens.issue(project, record, {
      amr: [...(Array.isArray(priorAmr) ? (priorAmr as string[]) : []), channel],
      customClaims: challenge.context.customClaims as Record<string, unknown> | undefined,
      firstSeen,
      ...client,
    });
  }

  private async finishUpdate(
    project: Project,
    channel: Channel,
    challenge: VerifiedChallenge,
    record: UserRecord,
    client: ClientInfo,
  ): Promise<JwtResponseDto> {
    const context = challenge.context as UpdateContext;
    // The login ID changed hands since the code was sent: it was not this user's request.
    if (context.userId !== record.user.id) throw new DomainError('WRONG_CODE', 'Wrong or unknown code');
    const kind: AddressKind = challenge.purpose === 'update-email' ? 'email' : 'phone';
    const { record: updated, previous, merged } = await this.users.changeAddress(project.id, record.user.id, kind, context.target, {
      addToLoginIds: context.addToLoginIDs,
      mergeIntoExisting: context.onMergeUseExisting,
    });
    if (merged) {
      await this.sessions.revokeUser(project.id, record.user.id);
      // A merge deletes a user: leave a trace an operator can find.
      this.logger.log({ msg: 'users merged', projectId: project.id, mergedUserId: record.user.id, intoUserId: updated.user.id });
    }
    if (previous && previous !== context.target) {
      await this.queue
        .enqueueNotice({
          projectId: project.id,
          projectName: project.name,
          channel,
          purpose: challenge.purpose as 'update-email' | 'update-phone',
          locale: context.locale,
          to: previous,
          loginId: updated.loginIds[0],
          newAddress: kind === 'email' ? maskEmail(context.target) : maskPhone(context.target),
          templateOptions: context.templateOptions,
        })
        // The address has changed already; a notice that cannot be queued must not undo the answer.
        .catch((error: unknown) => this.logger.error({ msg: 'address-change notice not queued', error: (error as Error).message }));
    }
    const firstSeen = await this.users.recordVerifiedSignIn(updated.user, kind, context.target);
    return this.tokens.issue(project, updated, { amr: [channel], firstSeen, ...client });
  }

  private async send(
    project: Project,
    channel: Channel,
    purpose: Purpose,
    loginId: string,
    target: string,
    options: SendOptions,
    extraContext: Record<string, unknown> = {},
    type: Exclude<DeliveryJobType, 'notice'> = 'otp',
    verifiedRecipient = false,
  ): Promise<SendResult> {
    const { settings } = project;
    // The budget guards against messages to new recipients: a decoy sends nothing, and a user's
    // verified address has its own per-recipient limits, so neither spends it nor is refused by it.
    await this.limits.assertCanSend(project, channel, target, {
      newRecipient: type === 'account-exists' || (type === 'otp' && !verifiedRecipient),
      client: options.ip ?? '-',
      decoy: type === 'none',
    });
    // Decoys (and the account-exists notice, which carries no code) get a challenge too, so that
    // the answers to later verifies are those of a real code; `decoy` makes even its code fail.
    const issued = await this.otp.issue(
      project.id,
      loginId,
      channel,
      purpose,
      { length: settings.otpLength, expirySeconds: settings.otpExpirySeconds, maxAttempts: settings.otpMaxAttempts },
      { ...extraContext, target, ...(options.customClaims ? { customClaims: options.customClaims } : {}), ...(type === 'otp' ? {} : { decoy: true }) },
    );
    const challenge = type === 'account-exists' ? { ...issued, code: undefined } : issued;
    // The record comes first so the worker always finds it; a job that cannot be queued marks it failed.
    // Decoys and the account-exists notice get one too, as they must cost what a real send costs
    // (on PostgreSQL a sign-up without the INSERT answered in half the time).
    const delivery = await this.deliveries.queued({ challengeId: challenge.challengeId, projectId: project.id, loginId, channel, to: target, requestId: options.requestId });
    try {
      await this.queue.enqueue({
        deliveryId: delivery.id,
        challengeId: challenge.challengeId,
        projectId: project.id,
        projectName: project.name,
        channel,
        purpose,
        expiresAt: challenge.expiresAt,
        locale: options.locale,
        requestId: options.requestId,
        type,
        ...(channel === 'sms' && settings.webOtpDomain ? { webOtpDomain: settings.webOtpDomain } : {}),
        to: target,
        code: challenge.code,
        loginId,
        templateOptions: options.templateOptions,
      });
    } catch (error) {
      await this.deliveries.failed(delivery.id, 0, null, `Could not enqueue: ${(error as Error).message}`).catch(() => undefined);
      throw error;
    }
    if (type === 'otp') this.metrics.otp(project.id, channel, 'queued');
    return masked(channel, target);
  }

  private updateContext(auth: AuthenticatedSession, options: UpdateOptions): Omit<UpdateContext, 'target'> {
    return {
      userId: auth.record.user.id,
      addToLoginIDs: options.addToLoginIDs === true,
      onMergeUseExisting: options.onMergeUseExisting === true,
      ...(options.locale ? { locale: options.locale } : {}),
      ...(options.templateOptions ? { templateOptions: options.templateOptions } : {}),
    };
  }

  /** The update routes act for the session's user only: the body's login ID must be one of theirs. */
  private ownLoginId(auth: AuthenticatedSession, loginId: string, channel: Channel): string {
    const normalized = loginIdFor(loginId, channel);
    if (!auth.record.loginIds.includes(normalized)) {
      throw new DomainError('LOGIN_ID_NOT_OWNED', 'loginId is not a login ID of the user of this refresh token');
    }
    return normalized;
  }

  /** Fails early, before any code is sent; changeAddress checks again, atomically, at verification. */
  private async assertNoConflict(project: Project, auth: AuthenticatedSession, address: string, options: UpdateOptions): Promise<void> {
    if (options.onMergeUseExisting) return;
    const owner = await this.users.findByLoginId(project.id, address);
    if (owner && owner.user.id !== auth.record.user.id) {
      throw new DomainError('LOGIN_ID_CONFLICT', `${JSON.stringify(address)} is already a login ID of another user`);
    }
  }

  private assertChannelEnabled(channel: Channel): void {
    if (channel !== 'email' && this.config.phoneProviders[channel] === 'none') {
      throw new DomainError('INVALID_REQUEST', `Delivery method ${channel} is not enabled on this server`);
    }
  }

  /**
   * Where the code of a sign-up goes. A login ID that is an e-mail address or a phone number is
   * proven by a code to that very address, over a channel that reaches it: another `user.email` or
   * `user.phone` would let anyone claim a login ID they do not own (squatting). Only a username
   * (neither) names its address in `user`, if the project allows usernames.
   */
  private targetForSignUp(project: Project, channel: Channel, loginId: string, profile: UserProfile): string {
    const kind = isEmail(loginId) ? 'email' : /^\+\d+$/.test(loginId) ? 'phone' : 'username';
    if (kind === 'username' && !project.settings.usernameLoginIds) {
      throw new DomainError('INVALID_REQUEST', 'loginId must be an e-mail address or a phone number: this project does not allow usernames (usernameLoginIds)');
    }
    if (kind !== 'username' && kind !== addressKind(channel)) {
      throw new DomainError('INVALID_REQUEST', `loginId is ${kind === 'email' ? 'an e-mail address: sign up over email' : 'a phone number: sign up over sms, voice or whatsapp'}`);
    }
    if (channel !== 'email') {
      if (kind === 'phone' && profile.phone && profile.phone !== loginId) {
        throw new DomainError('INVALID_REQUEST', 'user.phone must be the loginId itself (or left out) when loginId is a phone number');
      }
      const field = profile.phone ? 'user.phone' : 'loginId';
      const parsed = parsePhone(profile.phone || loginId, field);
      assertChannelReaches(parsed, channel, field);
      return parsed.e164;
    }
    const email = (profile.email?.trim() || loginId).toLowerCase();
    if (kind === 'email' && email !== loginId) {
      throw new DomainError('INVALID_REQUEST', 'user.email must be the loginId itself (or left out) when loginId is an e-mail address');
    }
    if (!isEmail(email)) throw new DomainError('INVALID_REQUEST', 'loginId (or user.email) must be a valid e-mail address');
    return email;
  }

  private targetForSignIn(channel: Channel, loginId: string, record: UserRecord): string {
    if (channel !== 'email') {
      const phone = record.user.phone ?? (looksLikePhone(loginId, channel) ? loginId : null);
      if (!phone) throw new DomainError('INVALID_REQUEST', 'The user has no phone number');
      const parsed = parsePhone(phone, 'phone');
      assertChannelReaches(parsed, channel, 'phone');
      return parsed.e164;
    }
    const email = record.user.email ?? (isEmail(loginId) ? loginId : null);
    if (!email) throw new DomainError('INVALID_REQUEST', 'The user has no e-mail address');
    return email;
  }

  private profileWithAddress(channel: Channel, profile: UserProfile, target: string): UserProfile {
    return channel === 'email' ? { ...profile, email: target } : { ...profile, phone: target };
  }

  /**
   * What the verify of a sign-in must know beyond the address: with step-up or MFA, the methods of
   * the session in the bearer (the new session's `amr` extends them), checked now, at send time.
   */
  private async signInContext(project: Project, record: UserRecord, options: SendOptions): Promise<Record<string, unknown>> {
    const context: Record<string, unknown> = options.revokeOtherSessions ? { revokeOtherSessions: true } : {};
    if (!options.stepup && !options.mfa) return context;
    if (!options.refreshJwt) throw new DomainError('UNAUTHORIZED', 'stepup and mfa need "Bearer <projectId>:<refreshJwt>"');
    const auth = await this.sessions.authenticate(project, options.refreshJwt);
    if (auth.record.user.id !== record.user.id) throw new DomainError('INVALID_REFRESH_TOKEN', 'The refresh token belongs to another user');
    return { ...context, priorAmr: auth.session.amr };
  }

  private assertEnabled(record: UserRecord): void {
    if (record.user.status === 'disabled') throw new DomainError('USER_DISABLED', 'The user is disabled');
  }
}

/** How a failed verification shows in the metrics and the audit trail. */
const VERIFY_FAILURES: Partial<Record<string, { outcome: FunnelOutcome; action: AuditAction }>> = {
  WRONG_CODE: { outcome: 'wrong_code', action: 'wrong_code' },
  EXPIRED_CODE: { outcome: 'expired', action: 'expired_code' },
  TOO_MANY_ATTEMPTS: { outcome: 'locked', action: 'lockout' },
};

function addressKind(channel: Channel): 'email' | 'phone' {
  return channel === 'email' ? 'email' : 'phone';
}

/** Whether `record`'s address for the channel has been verified (by a code sent to it). */
function isVerified(record: UserRecord, channel: Channel): boolean {
  return channel === 'email' ? record.user.verifiedEmail : record.user.verifiedPhone;
}

/** The address a login ID names on a channel, if it names one. */
function addressIn(channel: Channel, loginId: string): string | undefined {
  if (channel === 'email') return isEmail(loginId) ? loginId : undefined;
  return looksLikePhone(loginId, channel) ? loginId : undefined;
}

/** Anti-enumeration: the mask of the login ID itself, never of an address found in the database. */
function inputMask(channel: Channel, loginId: string): SendResult {
  const address = addressIn(channel, loginId);
  if (address) return masked(channel, address);
  return channel === 'email' ? { maskedEmail: '***' } : { maskedPhone: '***' };
}

/**
 * Where a decoy "goes" for the per-recipient limits: the login ID's own address, so that its
 * cooldown answers as a real user's would, or the login ID itself when it is no address.
 */
function decoyRecipient(channel: Channel, loginId: string): string {
  return addressIn(channel, loginId) ?? loginId;
}

/** The answer of a send: the address the message went to, masked. */
function masked(channel: Channel, target: string): SendResult {
  return channel === 'email' ? { maskedEmail: maskEmail(target) } : { maskedPhone: maskPhone(target) };
}
