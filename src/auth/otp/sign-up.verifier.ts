import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error.js';
import type { Channel } from '../../otp/otp.types.js';
import type { Project } from '../../projects/projects.service.js';
import { type UserRecord, UsersService } from '../../users/users.service.js';
import type { ClientInfo } from '../client-info.js';
import type { JwtResponseDto } from '../dto/jwt-response.dto.js';
import type { SignUpContext } from './challenge-context.js';
import type { VerifyEvent } from './otp-options.js';
import { addressKind } from '../../channels/channels.js';
import { assertEnabled } from './recipients.js';
import { SignInVerifier } from './sign-in.verifier.js';

/** The verify of a sign-up (or of a sign-up-or-in of a login ID that was new): creates the user, then a session. */
@Injectable()
export class SignUpVerifier {
  constructor(
    private readonly users: UsersService,
    private readonly signIn: SignInVerifier,
  ) {}

  async verify(
    project: Project,
    channel: Channel,
    loginId: string,
    purpose: 'signup' | 'signup-in',
    context: SignUpContext,
    event: VerifyEvent,
    client: ClientInfo,
  ): Promise<JwtResponseDto> {
    const { record, firstSeen } = await this.createUser(project, channel, loginId, purpose, context);
    return this.signIn.signedIn(project, channel, purpose, context, record, firstSeen, event, client);
  }

  /**
   * Creates the user from the profile in the challenge. When the login ID was taken since the code
   * was sent, a sign-up answers USER_EXISTS; a sign-up-or-in signs in to that user if the code went
   * to the address that user has (the code proves that address), and answers USER_EXISTS otherwise.
   */
  private async createUser(
    project: Project,
    channel: Channel,
    loginId: string,
    purpose: 'signup' | 'signup-in',
    { target, profile }: SignUpContext,
  ): Promise<{ record: UserRecord; firstSeen: boolean }> {
    const kind = addressKind(channel);
    try {
      return { record: await this.users.createVerified(project.id, loginId, profile, kind, target), firstSeen: true };
    } catch (error) {
      if (!(error instanceof DomainError && error.kind === 'USER_EXISTS') || purpose !== 'signup-in') throw error;
      const record = await this.users.findByLoginId(project.id, loginId);
      if (!record || record.user[kind] !== target) throw error;
      assertEnabled(record);
      return this.users.recordVerifiedSignIn(record, kind, target);
    }
  }
}
