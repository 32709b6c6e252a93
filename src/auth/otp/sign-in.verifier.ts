import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import type { Channel, Purpose } from '../../otp/otp.types.js';
import type { Project } from '../../projects/projects.service.js';
import { type UserRecord, UsersService } from '../../users/users.service.js';
import type { ClientInfo } from '../client-info.js';
import type { JwtResponseDto } from '../dto/jwt-response.dto.js';
import { SessionsService } from '../sessions.service.js';
import { TokensService } from '../tokens.service.js';
import type { SignInContext } from './challenge-context.js';
import type { VerifyEvent } from './otp-options.js';
import { addressKind } from '../../channels/channels.js';

/** The verify of a sign-in code (signin, or signup-in of a known user): a session for the user. */
@Injectable()
export class SignInVerifier {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokensService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
  ) {}

  async verify(project: Project, channel: Channel, purpose: Purpose, context: SignInContext, record: UserRecord, event: VerifyEvent, client: ClientInfo): Promise<JwtResponseDto> {
    const signIn = await this.users.recordVerifiedSignIn(record, addressKind(channel), context.target);
    return this.signedIn(project, channel, purpose, context, signIn.record, signIn.firstSeen, event, client);
  }

  /** The session of a verified sign-in or sign-up. */
  async signedIn(
    project: Project,
    channel: Channel,
    purpose: Purpose,
    context: SignInContext,
    record: UserRecord,
    firstSeen: boolean,
    event: VerifyEvent,
    client: ClientInfo,
  ): Promise<JwtResponseDto> {
    if (context.revokeOtherSessions === true) await this.sessions.revokeUser(project.id, record.user.id);
    this.metrics.otp(project.id, channel, 'verified');
    await this.audit.record({ ...event, userId: record.user.id, action: 'sign_in', outcome: 'success', detail: { purpose, firstSeen } });
    return this.tokens.issue(project, record, {
      amr: [...(context.priorAmr ?? []), channel],
      customClaims: context.customClaims,
      firstSeen,
      ...client,
    });
  }
}
