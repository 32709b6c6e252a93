import { Injectable } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import { type AuditAction, AuditService } from '../../audit/audit.service.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { type FunnelOutcome, MetricsService } from '../../metrics/metrics.service.js';
import { OtpService } from '../../otp/otp.service.js';
import type { Channel } from '../../otp/otp.types.js';
import type { Project } from '../../projects/projects.service.js';
import { loginIdFor } from '../../users/phone.js';
import { type UserRecord, UsersService } from '../../users/users.service.js';
import type { ClientInfo } from '../client-info.js';
import type { JwtResponseDto } from '../dto/jwt-response.dto.js';
import { type LiveChallenge, readChallenge } from './challenge-context.js';
import type { VerifyEvent } from './otp-options.js';
import { AddressUpdateVerifier } from './address-update.verifier.js';
import { assertEnabled } from './recipients.js';
import { SignInVerifier } from './sign-in.verifier.js';
import { SignUpVerifier } from './sign-up.verifier.js';

/** How a failed verification shows in the metrics and the audit trail. */
const VERIFY_FAILURES: Partial<Record<string, { outcome: FunnelOutcome; action: AuditAction }>> = {
  WRONG_CODE: { outcome: 'wrong_code', action: 'wrong_code' },
  EXPIRED_CODE: { outcome: 'expired', action: 'expired_code' },
  TOO_MANY_ATTEMPTS: { outcome: 'locked', action: 'lockout' },
};

/**
 * Verifies a code against the login ID's live challenge, within the wrong-code budgets, and hands
 * it to the verifier of its purpose.
 */
@Injectable()
export class VerifyOtpUseCase {
  constructor(
    private readonly users: UsersService,
    private readonly otp: OtpService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
    private readonly signUp: SignUpVerifier,
    private readonly signIn: SignInVerifier,
    private readonly addressUpdate: AddressUpdateVerifier,
  ) {}

  async verify(project: Project, channel: Channel, loginId: string, code: string, client: ClientInfo): Promise<JwtResponseDto> {
    const normalized = loginIdFor(loginId, channel);
    const event = { projectId: project.id, loginId: normalized, method: channel, ip: client.ip, userAgent: client.userAgent, requestId: client.requestId };
    const challenge = await this.consume(project, channel, normalized, code, client, event);
    switch (challenge.purpose) {
      case 'update-email':
      case 'update-phone':
        return this.addressUpdate.verify(project, channel, challenge.purpose, challenge.context, await this.knownUser(project, normalized), event, client);
      case 'signup':
        return this.signUp.verify(project, channel, normalized, challenge.purpose, challenge.context, event, client);
      case 'signup-in':
        if ('profile' in challenge.context) return this.signUp.verify(project, channel, normalized, challenge.purpose, challenge.context, event, client);
        break;
    }
    return this.signIn.verify(project, channel, challenge.purpose, challenge.context, await this.knownUser(project, normalized), event, client);
  }

  /** The challenge the code answers, consumed; a failure is counted and audited before it is thrown. */
  private async consume(project: Project, channel: Channel, loginId: string, code: string, client: ClientInfo, event: VerifyEvent): Promise<LiveChallenge> {
    const { loginIdWrongAttemptLimit: limit, loginIdIpWrongAttemptLimit: clientLimit, loginIdAttemptWindowSeconds: window } = project.settings;
    try {
      const budget = { limit, clientLimit, windowMs: window * 1000, client: normalizeIp(client.ip ?? '-') };
      return readChallenge(await this.otp.verify(project.id, loginId, channel, code, budget));
    } catch (error) {
      const failure = error instanceof DomainError ? VERIFY_FAILURES[error.kind] : undefined;
      if (failure) {
        this.metrics.otp(project.id, channel, failure.outcome);
        const userId = (await this.users.findByLoginId(project.id, loginId))?.user.id;
        await this.audit.record({ ...event, userId, action: failure.action, outcome: 'failure' });
      }
      throw error;
    }
  }

  /** The user a sign-in or update code was sent to. */
  private async knownUser(project: Project, loginId: string): Promise<UserRecord> {
    const record = await this.users.findByLoginId(project.id, loginId);
    // The user was deleted between send and verify: the code proves nothing any more.
    if (!record) throw new DomainError('WRONG_CODE', 'Wrong or unknown code');
    assertEnabled(record);
    return record;
  }
}
