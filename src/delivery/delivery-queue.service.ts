import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { SecretsService } from '../common/crypto/secrets.service.js';
import { DELIVERY_QUEUE, type DeliveryJobData, type SealedPayload, sealContext } from './delivery.types.js';

export type DeliveryRequest = Omit<DeliveryJobData, 'sealed'> & SealedPayload;

/** The only producer of the delivery queue; every job option is set here. */
@Injectable()
export class DeliveryQueueService {
  constructor(
    @InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue<DeliveryJobData>,
    private readonly secrets: SecretsService,
  ) {}

  async enqueue(request: DeliveryRequest): Promise<void> {
    const { to, code, templateOptions, ...visible } = request;
    const sealed = this.secrets.seal(
      'job-seal',
      JSON.stringify({ to, code, templateOptions } satisfies SealedPayload),
      sealContext(request.projectId, request.challengeId),
    );
    await this.queue.add(
      'otp',
      { ...visible, sealed },
      {
        // One job per challenge: adding the same challenge twice is a no-op, never a second message.
        jobId: request.challengeId,
        attempts: 6,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: true,
        // Failed jobs stay a day for inspection; their data holds no code in clear.
        removeOnFail: { age: 24 * 3600, count: 10_000 },
      },
    );
  }
}
