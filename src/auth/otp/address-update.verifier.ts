import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { maskEmail, maskPhone } from '../../common/masking.js';
import { DeliveryQueueService } from '../../delivery/delivery-queue.service.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import type { Channel } from '../../otp/otp.types.js';
import type { Project } from '../../projects/projects.service.js';
import { type UserRecord, UsersService } from '../../users/users.service.js';
import type { ClientInfo } from '../client-info.js';
import type { JwtResponseDto } from '../dto/jwt-response.dto.js';
import { SessionsService } from '../sessions.service.js';
import { TokensService } from '../tokens.service.js';
import type { AddressUpdateContext } from './challenge-context.js';
import type { VerifyEvent } from './otp-options.js';

/**
 * The verify of an address update: changes the address (merging users when asked), tells the old
 * address, and answers with a new session.
 */
@Injectable()
export class AddressUpdateVerifier {
  private readonly logger = new Logger(AddressUpdateVerifier.name);

  constructor(
    private readonly users: UsersService,
    private readonly queue: DeliveryQueueService,
    private readonly tokens: TokensService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
  ) {}

  async verify(
    project: Project,
    channel: Channel,
    purpose: 'update-email' | 'update-phone',
    context: AddressUpdateContext,
    record: UserRecord,
    event: VerifyEvent,
    client: ClientInfo,
  ): Promise<JwtResponseDto> {
    const response = await this.apply(project, channel, purpose, context, record, client);
    this.metrics.otp(project.id, channel, 'verified');
    await this.audit.record({ ...event, userId: record.user.id, action: 'address_update', outcome: 'success', detail: { purpose } });
    return response;
  }

  private async apply(
    project: Project,
    channel: Channel,
    purpose: 'update-email' | 'update-phone',
    context: AddressUpdateContext,
    record: UserRecord,
    client: ClientInfo,
  ): Promise<JwtResponseDto> {
    // The login ID changed hands since the code was sent: it was not this user's request.
    if (context.userId !== record.user.id) throw new DomainError('WRONG_CODE', 'Wrong or unknown code');
    const kind = purpose === 'update-email' ? 'email' : 'phone';
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
          purpose,
          locale: context.locale,
          to: previous,
          loginId: updated.loginIds[0],
          newAddress: kind === 'email' ? maskEmail(context.target) : maskPhone(context.target),
          templateOptions: context.templateOptions,
        })
        // The address has changed already; a notice that cannot be queued must not undo the answer.
        .catch((error: unknown) => this.logger.error({ msg: 'address-change notice not queued', error: (error as Error).message }));
    }
    const signIn = await this.users.recordVerifiedSignIn(updated, kind, context.target);
    return this.tokens.issue(project, signIn.record, { amr: [channel], firstSeen: signIn.firstSeen, ...client });
  }
}
