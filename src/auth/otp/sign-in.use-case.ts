import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error.js';
import type { Channel } from '../../otp/otp.types.js';
import type { Project } from '../../projects/projects.service.js';
import { loginIdFor } from '../../users/phone.js';
import { type UserRecord, UsersService } from '../../users/users.service.js';
import { SessionsService } from '../sessions.service.js';
import { baseContext, type SignInContext } from './challenge-context.js';
import type { SendOptions, SendResult } from './otp-options.js';
import { assertEnabled, decoyRecipient, inputMask, isVerified, signInTarget } from './recipients.js';
import { OtpSendPipeline } from './send-pipeline.js';

/** Sends a sign-in code to an existing user. */
@Injectable()
export class SignInUseCase {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly pipeline: OtpSendPipeline,
  ) {}

  async send(project: Project, channel: Channel, loginId: string, options: SendOptions): Promise<SendResult> {
    this.pipeline.assertChannelEnabled(channel);
    const normalized = loginIdFor(loginId, channel);
    const record = await this.users.findByLoginId(project.id, normalized);
    if (project.settings.antiEnumeration) return this.sendQuietly(project, channel, normalized, record, options);
    if (!record) throw new DomainError('USER_NOT_FOUND', `User ${JSON.stringify(normalized)} not found`);
    assertEnabled(record);
    const context = await this.signInContext(project, record, options);
    const target = signInTarget(channel, normalized, record);
    return this.pipeline.send(project, this.outgoing(channel, normalized, record, { ...context, ...baseContext(target, options.customClaims) }), options);
  }

  /**
   * Anti-enumeration sign-in: the answer depends on the input only. A user who can get a code now
   * (known, enabled, with an address for the channel) gets one; for anyone else the same work is
   * done (limits, a challenge, a queued job), but the job sends nothing and the challenge never
   * verifies. The mask is computed from the login ID, `***` when it is not an address of the channel.
   */
  private async sendQuietly(project: Project, channel: Channel, loginId: string, record: UserRecord | null, options: SendOptions): Promise<SendResult> {
    const answer = inputMask(channel, loginId);
    let real: SignInContext | undefined;
    if (record && record.user.status !== 'disabled') {
      try {
        const target = signInTarget(channel, loginId, record);
        real = { ...(await this.signInContext(project, record, options)), ...baseContext(target, options.customClaims) };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
      }
    }
    if (real) await this.pipeline.send(project, this.outgoing(channel, loginId, record!, real), options);
    else {
      const context = { ...baseContext(decoyRecipient(channel, loginId), options.customClaims), decoy: true as const };
      await this.pipeline.send(project, { channel, loginId, challenge: { purpose: 'signin', context }, message: 'none' }, options);
    }
    return answer;
  }

  private outgoing(channel: Channel, loginId: string, record: UserRecord, context: SignInContext) {
    return { channel, loginId, challenge: { purpose: 'signin' as const, context }, verifiedRecipient: isVerified(record, channel) };
  }

  /**
   * What the verify of a sign-in must know beyond the address: with step-up or MFA, the methods of
   * the session in the bearer (the new session's `amr` extends them), checked now, at send time.
   */
  private async signInContext(project: Project, record: UserRecord, options: SendOptions): Promise<Omit<SignInContext, 'target'>> {
    const context: Omit<SignInContext, 'target'> = options.revokeOtherSessions ? { revokeOtherSessions: true } : {};
    if (!options.stepup && !options.mfa) return context;
    if (!options.refreshJwt) throw new DomainError('UNAUTHORIZED', 'stepup and mfa need "Bearer <projectId>:<refreshJwt>"');
    const auth = await this.sessions.authenticate(project, options.refreshJwt);
    if (auth.record.user.id !== record.user.id) throw new DomainError('INVALID_REFRESH_TOKEN', 'The refresh token belongs to another user');
    return { ...context, priorAmr: auth.session.amr };
  }
}
