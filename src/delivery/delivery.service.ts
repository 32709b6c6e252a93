import { Injectable, Logger } from '@nestjs/common';
import { SecretsService } from '../common/crypto/secrets.service.js';
import { type DeliveryJobData, type DeliveryOutcome, type OutboundMessage, type SealedPayload, sealContext } from './delivery.types.js';
import type { Channel } from '../otp/otp.types.js';
import { ProviderRegistry } from './providers/provider-registry.js';
import { renderEmail } from './templates/email.template.js';

/** Runs in the worker: opens a job's sealed payload, renders the message and hands it to the provider. */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);

  constructor(
    private readonly secrets: SecretsService,
    private readonly providers: ProviderRegistry,
  ) {}

  async deliver(job: DeliveryJobData): Promise<DeliveryOutcome> {
    const payload = JSON.parse(this.secrets.open('job-seal', job.sealed, sealContext(job.projectId, job.challengeId))) as SealedPayload;
    const provider = this.providers.for(job.channel);
    const result = await provider.send(this.render(job, payload));
    this.logger.log({ msg: 'delivered', challengeId: job.challengeId, channel: job.channel, provider: provider.name, requestId: job.requestId });
    return { ...result, provider: provider.name };
  }

  /** The provider configured for `channel`, or null when there is none. */
  providerName(channel: Channel): string | null {
    try {
      return this.providers.for(channel).name;
    } catch {
      return null;
    }
  }

  private render(job: DeliveryJobData, payload: SealedPayload): OutboundMessage {
    const expiresInMinutes = Math.max(1, Math.round((job.expiresAt - Date.now()) / 60_000));
    const rendered = renderEmail({
      code: payload.code,
      projectName: job.projectName,
      expiresInMinutes,
      purpose: job.purpose,
      templateOptions: payload.templateOptions,
    });
    return { channel: job.channel, to: payload.to, ...rendered };
  }
}
