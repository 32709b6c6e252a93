import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error.js';
import type { Channel } from '../../otp/otp.types.js';
import type { Project } from '../../projects/projects.service.js';
import { SendLimitsService } from '../../rate-limit/send-limits.service.js';
import { loginIdFor, parsePhone } from '../../users/phone.js';
import { type UserProfile, UsersService } from '../../users/users.service.js';
import { baseContext } from './challenge-context.js';
import type { SendOptions, SendResult } from './otp-options.js';
import { masked, profileWithAddress, signInTarget, signUpTarget } from './recipients.js';
import { OtpSendPipeline } from './send-pipeline.js';

/**
 * Sends the code of a sign-up. Nothing is created yet: the profile waits in the challenge, and the
 * verify creates the user (SignUpVerifier).
 */
@Injectable()
export class SignUpUseCase {
  constructor(
    private readonly users: UsersService,
    private readonly limits: SendLimitsService,
    private readonly pipeline: OtpSendPipeline,
  ) {}

  async send(project: Project, channel: Channel, loginId: string, profile: UserProfile, options: SendOptions): Promise<SendResult> {
    this.pipeline.assertChannelEnabled(channel);
    const normalized = loginIdFor(loginId, channel);
    const withPhone = profile.phone?.trim() ? { ...profile, phone: parsePhone(profile.phone, 'user.phone').e164 } : profile;
    const target = signUpTarget(project, channel, normalized, withPhone);
    this.limits.assertRecipientAllowed(project, channel, target);
    const existing = await this.users.findByLoginId(project.id, normalized);
    if (existing) {
      if (!project.settings.antiEnumeration) throw new DomainError('USER_EXISTS', `User ${JSON.stringify(normalized)} already exists`);
      // Anti-enumeration: answer as a sign-up would; the owner of the address is told instead.
      const context = { ...baseContext(signInTarget(channel, normalized, existing), options.customClaims), decoy: true as const };
      await this.pipeline.send(project, { channel, loginId: normalized, challenge: { purpose: 'signup', context }, message: 'account-exists' }, options);
      return masked(channel, target);
    }
    const context = { ...baseContext(target, options.customClaims), profile: profileWithAddress(channel, withPhone, target) };
    return this.pipeline.send(project, { channel, loginId: normalized, challenge: { purpose: 'signup', context } }, options);
  }
}
