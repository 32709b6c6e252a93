import { Injectable, Logger } from '@nestjs/common';
import { SecretsService } from '../common/crypto/secrets.service.js';
import { type DeliveryJobData, type DeliveryJobType, type DeliveryOutcome, type OutboundMessage, type SealedPayload, sealContext } from './delivery.types.js';
import type { Channel } from '../otp/otp.types.js';
import { ProviderRegistry } from './providers/provider-registry.js';
import { renderAccountExists, renderCode, renderNotice } from './templates/render.js';
import { displayOptions } from './templates/template-options.js';

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
    const type = job.type === 'notice' ? 'notice' : (payload.type ?? job.type ?? 'otp');
    // Anti-enumeration decoy: it had to be queued like a real send, but it goes nowhere.
    if (type === 'none') return { provider: 'none' };
    const provider = this.providers.for(job.channel);
    const result = await provider.send(this.render(job, type, payload));
    this.logger.log({
      msg: 'delivered',
      type,
      challengeId: job.challengeId,
      channel: job.channel,
      provider: provider.name,
      requestId: job.requestId,
    });
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

  private render(job: DeliveryJobData, type: Exclude<DeliveryJobType, 'none'>, payload: SealedPayload): OutboundMessage {
    const options = displayOptions(payload.templateOptions);
    const common = { id: job.challengeId, channel: job.channel, to: payload.to, projectId: job.projectId, loginId: payload.loginId };
    if (type === 'notice') {
      const kind = job.purpose === 'update-email' ? 'email' : 'phone';
      const rendered = renderNotice(job.channel, job.locale, { projectName: job.projectName, kind, newAddress: payload.newAddress ?? '', options });
      return { ...common, type: 'notice', ...rendered };
    }
    if (type === 'account-exists') {
      return { ...common, type: 'account-exists', ...renderAccountExists(job.channel, job.locale, { projectName: job.projectName, options }) };
    }
    const code = payload.code!;
    const expiresInMinutes = Math.max(1, Math.round((job.expiresAt - Date.now()) / 60_000));
    const rendered = renderCode(
      job.channel,
      job.locale,
      { code, projectName: job.projectName, expiresInMinutes, purpose: job.purpose, options },
      job.webOtpDomain,
    );
    return { ...common, type: 'otp', code, expiresAt: job.expiresAt, ...rendered };
  }
}
