import { Injectable } from '@nestjs/common';
import { isEmail } from 'class-validator';
import { DomainError } from '../../common/errors/domain-error.js';
import type { Channel, PhoneChannel } from '../../channels/channels.js';
import type { Project } from '../../projects/projects.service.js';
import { assertChannelReaches, loginIdFor, parsePhone } from '../../users/phone.js';
import { UsersService } from '../../users/users.service.js';
import type { AuthenticatedSession } from '../sessions.service.js';
import { type AddressUpdateContext, baseContext } from './challenge-context.js';
import type { SendResult, UpdateOptions } from './otp-options.js';
import { OtpSendPipeline } from './send-pipeline.js';

/**
 * Sends a code to a new address of the session's user; the verify with the user's login ID applies
 * it (AddressUpdateVerifier).
 */
@Injectable()
export class AddressUpdateUseCase {
  constructor(
    private readonly users: UsersService,
    private readonly pipeline: OtpSendPipeline,
  ) {}

  async updateEmail(project: Project, auth: AuthenticatedSession, loginId: string, email: string, options: UpdateOptions): Promise<SendResult> {
    const normalized = ownLoginId(auth, loginId, 'email');
    const address = email.trim().toLowerCase();
    if (!isEmail(address)) throw new DomainError('INVALID_REQUEST', 'email must be a valid e-mail address');
    await this.assertNoConflict(project, auth, address, options);
    const challenge = { purpose: 'update-email' as const, context: updateContext(auth, address, options) };
    return this.pipeline.send(project, { channel: 'email', loginId: normalized, challenge }, options);
  }

  /** Over `channel`; verify/<channel> applies it. */
  async updatePhone(project: Project, auth: AuthenticatedSession, channel: PhoneChannel, loginId: string, phone: string, options: UpdateOptions): Promise<SendResult> {
    this.pipeline.assertChannelEnabled(channel);
    const normalized = ownLoginId(auth, loginId, channel);
    const parsed = parsePhone(phone, 'phone');
    assertChannelReaches(parsed, channel, 'phone');
    await this.assertNoConflict(project, auth, parsed.e164, options);
    const challenge = { purpose: 'update-phone' as const, context: updateContext(auth, parsed.e164, options) };
    return this.pipeline.send(project, { channel, loginId: normalized, challenge }, options);
  }

  /** Fails early, before any code is sent; changeAddress checks again, atomically, at verification. */
  private async assertNoConflict(project: Project, auth: AuthenticatedSession, address: string, options: UpdateOptions): Promise<void> {
    if (options.onMergeUseExisting) return;
    const owner = await this.users.findByLoginId(project.id, address);
    if (owner && owner.user.id !== auth.record.user.id) {
      throw new DomainError('LOGIN_ID_CONFLICT', `${JSON.stringify(address)} is already a login ID of another user`);
    }
  }
}

/** The update routes act for the session's user only: the body's login ID must be one of theirs. */
function ownLoginId(auth: AuthenticatedSession, loginId: string, channel: Channel): string {
  const normalized = loginIdFor(loginId, channel);
  if (!auth.record.loginIds.includes(normalized)) {
    throw new DomainError('LOGIN_ID_NOT_OWNED', 'loginId is not a login ID of the user of this refresh token');
  }
  return normalized;
}

function updateContext(auth: AuthenticatedSession, target: string, options: UpdateOptions): AddressUpdateContext {
  return {
    ...baseContext(target, options.customClaims),
    userId: auth.record.user.id,
    addToLoginIDs: options.addToLoginIDs === true,
    onMergeUseExisting: options.onMergeUseExisting === true,
    ...(options.locale ? { locale: options.locale } : {}),
    ...(options.templateOptions ? { templateOptions: options.templateOptions } : {}),
  };
}
