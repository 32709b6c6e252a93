import { Injectable } from '@nestjs/common';
import type { Channel } from '../../otp/otp.types.js';
import type { Project } from '../../projects/projects.service.js';
import { SendLimitsService } from '../../rate-limit/send-limits.service.js';
import { loginIdFor } from '../../users/phone.js';
import { UsersService } from '../../users/users.service.js';
import { baseContext } from './challenge-context.js';
import type { SendOptions, SendResult } from './otp-options.js';
import { assertEnabled, isVerified, profileWithAddress, signInTarget, signUpTarget } from './recipients.js';
import { OtpSendPipeline } from './send-pipeline.js';

/** A sign-in for a known login ID; for a new one, a sign-up that, like SignUpUseCase, creates nothing before the verify. */
@Injectable()
export class SignUpOrInUseCase {
  constructor(
    private readonly users: UsersService,
    private readonly limits: SendLimitsService,
    private readonly pipeline: OtpSendPipeline,
  ) {}

  async send(project: Project, channel: Channel, loginId: string, options: SendOptions): Promise<SendResult> {
    this.pipeline.assertChannelEnabled(channel);
    const normalized = loginIdFor(loginId, channel);
    const record = await this.users.findByLoginId(project.id, normalized);
    if (!record) {
      const target = signUpTarget(project, channel, normalized, {});
      this.limits.assertRecipientAllowed(project, channel, target);
      const context = { ...baseContext(target, options.customClaims), profile: profileWithAddress(channel, {}, target) };
      return this.pipeline.send(project, { channel, loginId: normalized, challenge: { purpose: 'signup-in', context } }, options);
    }
    assertEnabled(record);
    const context = baseContext(signInTarget(channel, normalized, record), options.customClaims);
    return this.pipeline.send(
      project,
      { channel, loginId: normalized, challenge: { purpose: 'signup-in', context }, verifiedRecipient: isVerified(record, channel) },
      options,
    );
  }
}
