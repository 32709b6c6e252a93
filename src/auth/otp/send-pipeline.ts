import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error.js';
import { AppConfig } from '../../config/app-config.js';
import { DeliveryQueueService } from '../../delivery/delivery-queue.service.js';
import { DeliveryRecordsService } from '../../delivery/delivery-records.service.js';
import type { DeliveryJobType } from '../../delivery/delivery.types.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { OtpService } from '../../otp/otp.service.js';
import { type Channel, isPhoneChannel } from '../../channels/channels.js';
import type { Project } from '../../projects/projects.service.js';
import { SendLimitsService } from '../../rate-limit/send-limits.service.js';
import type { OtpChallenge } from './challenge-context.js';
import type { SendOptions, SendResult } from './otp-options.js';
import { masked } from './recipients.js';

/** What a send queues: a code, or for anti-enumeration the account-exists notice or nothing at all (a decoy). */
export type OutgoingMessage = Exclude<DeliveryJobType, 'notice'>;

export interface OutgoingCode {
  channel: Channel;
  loginId: string;
  /** The challenge to issue; its context's `target` is where the message goes. */
  challenge: OtpChallenge;
  /** Default: otp. account-exists and none must come with a DecoyContext. */
  message?: OutgoingMessage;
  /** The recipient is the user's verified address, which the new-recipient budget leaves alone. */
  verifiedRecipient?: boolean;
}

/**
 * Every code goes out the same way: limits, then the challenge, then the queued job, which is the
 * delivery's record until a worker writes it to the database. The answer comes only once the job is queued.
 */
@Injectable()
export class OtpSendPipeline {
  constructor(
    private readonly otp: OtpService,
    private readonly queue: DeliveryQueueService,
    private readonly deliveries: DeliveryRecordsService,
    private readonly limits: SendLimitsService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  assertChannelEnabled(channel: Channel): void {
    if (isPhoneChannel(channel) && this.config.phoneProviders[channel] === 'none') {
      throw new DomainError('INVALID_REQUEST', `Delivery method ${channel} is not enabled on this server`);
    }
  }

  async send(project: Project, outgoing: OutgoingCode, options: SendOptions): Promise<SendResult> {
    const { channel, loginId, challenge, message: type = 'otp' } = outgoing;
    const { settings } = project;
    const { target } = challenge.context;
    // Decoys (and the account-exists notice, which carries no code) get a challenge too, so that
    // the answers to later verifies are those of a real code; their DecoyContext makes even its code fail.
    const issued = this.otp.prepare(
      project.id,
      loginId,
      channel,
      challenge.purpose,
      { length: settings.otpLength, expirySeconds: settings.otpExpirySeconds, maxAttempts: settings.otpMaxAttempts },
      { ...challenge.context },
    );
    // The budget guards against messages to new recipients: a decoy sends nothing, and a user's
    // verified address has its own per-recipient limits, so neither spends it nor is refused by it.
    await this.limits.issueWithinLimits(
      project,
      channel,
      target,
      { newRecipient: type === 'account-exists' || (type === 'otp' && !outgoing.verifiedRecipient), client: options.ip ?? '-', decoy: type === 'none' },
      issued,
    );
    const code = type === 'account-exists' ? undefined : issued.code;
    // Nothing is written to the database: the worker writes the record. A job that cannot be queued
    // has no delivery, and the send answers the error. Decoys and the account-exists notice are
    // queued alike, as they must cost what a real send costs.
    const queuedAt = Date.now();
    const deliveryId = await this.queue.enqueue(
      {
        challengeId: issued.challengeId,
        projectId: project.id,
        projectName: project.name,
        channel,
        purpose: challenge.purpose,
        expiresAt: issued.expiresAt,
        locale: options.locale,
        requestId: options.requestId,
        type,
        ...(channel === 'sms' && settings.webOtpDomain ? { webOtpDomain: settings.webOtpDomain } : {}),
        to: target,
        code,
        loginId,
        templateOptions: options.templateOptions,
      },
      queuedAt,
    );
    this.deliveries.queued({ id: deliveryId, challengeId: issued.challengeId, projectId: project.id, loginId, channel, to: target, step: 0, requestId: options.requestId, createdAt: queuedAt });
    if (type === 'otp') this.metrics.otp(project.id, channel, 'queued');
    return masked(channel, target);
  }
}
