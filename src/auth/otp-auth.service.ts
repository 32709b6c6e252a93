import { Injectable } from '@nestjs/common';
import { isEmail } from 'class-validator';
import { DomainError } from '../common/errors/domain-error.js';
import { maskEmail } from '../common/masking.js';
import { type AuditAction, AuditService } from '../audit/audit.service.js';
import { DeliveryQueueService } from '../delivery/delivery-queue.service.js';
import { DeliveryRecordsService } from '../delivery/delivery-records.service.js';
import { type FunnelOutcome, MetricsService } from '../metrics/metrics.service.js';
import { OtpService } from '../otp/otp.service.js';
import type { Channel, Purpose } from '../otp/otp.types.js';
import type { Project } from '../projects/projects.service.js';
import { normalizeLoginId, type UserProfile, type UserRecord, UsersService } from '../users/users.service.js';
import type { JwtResponseDto } from './dto/jwt-response.dto.js';
import { SessionsService } from './sessions.service.js';
import { TokensService } from './tokens.service.js';

export interface SendOptions {
  templateOptions?: Record<string, string>;
  locale?: string;
  customClaims?: Record<string, unknown>;
  requestId?: string;
  /** Sign-in only: step-up and MFA extend the session of `refreshJwt` (the bearer's token). */
  stepup?: boolean;
  mfa?: boolean;
  revokeOtherSessions?: boolean;
  refreshJwt?: string;
}

export interface ClientInfo {
  userAgent?: string;
  ip?: string;
  requestId?: string;
}

export type SendResult = { maskedEmail: string } | { maskedPhone: string };

/** The OTP use cases: send a code for sign-up, sign-in or sign-up-or-in, and verify it into a session. */
@Injectable()
export class OtpAuthService {
  constructor(
    private readonly users: UsersService,
    private readonly otp: OtpService,
    private readonly queue: DeliveryQueueService,
    private readonly deliveries: DeliveryRecordsService,
    private readonly tokens: TokensService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
  ) {}

  async signUp(project: Project, channel: Channel, loginId: string, profile: UserProfile, options: SendOptions): Promise<SendResult> {
    const normalized = normalizeLoginId(loginId);
    const target = this.targetForSignUp(channel, normalized, profile);
    await this.users.create(project.id, normalized, this.profileWithAddress(channel, profile, target));
    return this.send(project, channel, 'signup', normalized, target, options);
  }

  async signIn(project: Project, channel: Channel, loginId: string, options: SendOptions): Promise<SendResult> {
    const normalized = normalizeLoginId(loginId);
    const record = await this.users.findByLoginId(project.id, normalized);
    if (!record) throw new DomainError('USER_NOT_FOUND', `User ${JSON.stringify(normalized)} not found`);
    this.assertEnabled(record);
    const context = await this.signInContext(project, record, options);
    return this.send(project, channel, 'signin', normalized, this.targetForSignIn(channel, normalized, record), options, context);
  }

  async signUpOrIn(project: Project, channel: Channel, loginId: string, options: SendOptions): Promise<SendResult> {
    const normalized = normalizeLoginId(loginId);
    let record = await this.users.findByLoginId(project.id, normalized);
    if (!record) {
      const target = this.targetForSignUp(channel, normalized, {});
      try {
        record = await this.users.create(project.id, normalized, this.profileWithAddress(channel, {}, target));
      } catch (error) {
        // Lost a race with a concurrent sign-up of the same login ID: the user exists now.
        if (!(error instanceof DomainError && error.kind === 'USER_EXISTS')) throw error;
        record = await this.users.findByLoginId(project.id, normalized);
        if (!record) throw error;
      }
    }
    this.assertEnabled(record);
    return this.send(project, channel, 'signup-in', normalized, this.targetForSignIn(channel, normalized, record), options);
  }

  async verify(project: Project, channel: Channel, loginId: string, code: string, client: ClientInfo): Promise<JwtResponseDto> {
    const normalized = normalizeLoginId(loginId);
    const event = { projectId: project.id, loginId: normalized, method: channel, ip: client.ip, userAgent: client.userAgent, requestId: client.requestId };
    let challenge;
    try {
      challenge = await this.otp.verify(project.id, normalized, channel, code);
    } catch (error) {
      const failure = error instanceof DomainError ? VERIFY_FAILURES[error.kind] : undefined;
      if (failure) {
        this.metrics.otp(project.id, channel, failure.outcome);
        const userId = (await this.users.findByLoginId(project.id, normalized))?.user.id;
        await this.audit.record({ ...event, userId, action: failure.action, outcome: 'failure' });
      }
      throw error;
    }
    const record = await this.users.findByLoginId(project.id, normalized);
    // The user was deleted between send and verify: the code proves nothing any more.
    if (!record) throw new DomainError('WRONG_CODE', 'Wrong or unknown code');
    this.assertEnabled(record);
    const firstSeen = await this.users.recordVerifiedSignIn(record.user, addressKind(channel), challenge.context.target);
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

  private async send(
    project: Project,
    channel: Channel,
    purpose: Purpose,
    loginId: string,
    target: string,
    options: SendOptions,
    extraContext: Record<string, unknown> = {},
  ): Promise<SendResult> {
    const { settings } = project;
    const challenge = await this.otp.issue(
      project.id,
      loginId,
      channel,
      purpose,
      { length: settings.otpLength, expirySeconds: settings.otpExpirySeconds, maxAttempts: settings.otpMaxAttempts },
      { ...extraContext, target, ...(options.customClaims ? { customClaims: options.customClaims } : {}) },
    );
    // The record comes first so the worker always finds it; a job that cannot be queued marks it failed.
    const delivery = await this.deliveries.queued({
      challengeId: challenge.challengeId,
      projectId: project.id,
      loginId,
      channel,
      to: target,
      requestId: options.requestId,
    });
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
        to: target,
        code: challenge.code,
        templateOptions: options.templateOptions,
      });
    } catch (error) {
      await this.deliveries.failed(delivery.id, 0, null, `Could not enqueue: ${(error as Error).message}`).catch(() => undefined);
      throw error;
    }
    this.metrics.otp(project.id, channel, 'queued');
    return { maskedEmail: maskEmail(target) };
  }

  private targetForSignUp(channel: Channel, loginId: string, profile: UserProfile): string {
    if (channel !== 'email') throw new DomainError('INVALID_REQUEST', `Delivery method ${channel} is not supported`);
    const email = (profile.email?.trim() || loginId).toLowerCase();
    if (!isEmail(email)) throw new DomainError('INVALID_REQUEST', 'loginId (or user.email) must be a valid e-mail address');
    return email;
  }

  private targetForSignIn(channel: Channel, loginId: string, record: UserRecord): string {
    if (channel !== 'email') throw new DomainError('INVALID_REQUEST', `Delivery method ${channel} is not supported`);
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
