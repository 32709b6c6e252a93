import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';
import { SecretsService } from '../common/crypto/secrets.service.js';
import type { Channel, Purpose } from '../otp/otp.types.js';
import { DELIVERY_QUEUE, type DeliveryJobData, type SealedPayload, sealContext } from './delivery.types.js';

export type DeliveryRequest = Omit<DeliveryJobData, 'sealed' | 'type'> & Required<Pick<SealedPayload, 'to' | 'code'>> & Omit<SealedPayload, 'newAddress'>;

export interface NoticeRequest {
  projectId: string;
  projectName: string;
  channel: Channel;
  purpose: Extract<Purpose, 'update-email' | 'update-phone'>;
  locale?: string;
  requestId?: string;
  /** The old address, which gets the notice. */
  to: string;
  loginId?: string;
  /** The new address, masked. */
  newAddress: string;
  templateOptions?: Record<string, string>;
}

const RETRIES: JobsOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  // Failed jobs stay a day for inspection; their data holds no code in clear.
  removeOnFail: { age: 24 * 3600, count: 10_000 },
};

/** The only producer of the delivery queue; every job option is set here. */
@Injectable()
export class DeliveryQueueService {
  constructor(
    @InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue<DeliveryJobData>,
    private readonly secrets: SecretsService,
  ) {}

  async enqueue(request: DeliveryRequest): Promise<void> {
    const { to, code, loginId, templateOptions, ...visible } = request;
    const sealed = this.seal(request.projectId, request.challengeId, { to, code, loginId, templateOptions });
    // One job per challenge: adding the same challenge twice is a no-op, never a second message.
    await this.queue.add('otp', { type: 'otp', ...visible, sealed }, { ...RETRIES, jobId: request.challengeId });
  }

  /** Queues the "your address was changed" notice for the old address. */
  async enqueueNotice(request: NoticeRequest): Promise<void> {
    const { to, loginId, newAddress, templateOptions, ...visible } = request;
    const id = randomUUID();
    const sealed = this.seal(request.projectId, id, { to, loginId, newAddress, templateOptions });
    await this.queue.add('notice', { type: 'notice', ...visible, challengeId: id, expiresAt: Date.now(), sealed }, { ...RETRIES, jobId: id });
  }

  private seal(projectId: string, id: string, payload: SealedPayload): string {
    return this.secrets.seal('job-seal', JSON.stringify(payload), sealContext(projectId, id));
  }
}
