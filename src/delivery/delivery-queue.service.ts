import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';
import { SecretsService } from '../common/crypto/secrets.service.js';
import { AppConfig } from '../config/app-config.js';
import { batchedWriter } from '../database/batcher.js';
import type { Channel, Purpose } from '../otp/otp.types.js';
import { DELIVERY_QUEUE } from '../queue/queue-names.js';
import { type DeliveryJobData, type DeliveryJobType, type SealedPayload, sealContext } from './delivery.types.js';

export type DeliveryRequest = Omit<DeliveryJobData, 'sealed' | 'type'> &
  Required<Pick<SealedPayload, 'to'>> &
  Omit<SealedPayload, 'newAddress'> & {
    /** What the job sends for a challenge; the address-change notice has enqueueNotice. Default: otp. */
    type?: Exclude<DeliveryJobType, 'notice'>;
  };

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

interface NewJob {
  name: DeliveryJobType;
  data: DeliveryJobData;
  opts: JobsOptions;
}

/** Retries of every job; how many and how far apart is configuration (DELIVERY_ATTEMPTS, DELIVERY_BACKOFF_MS). */
const RETRIES = (config: AppConfig): JobsOptions => ({
  attempts: config.delivery.attempts,
  backoff: { type: 'exponential', delay: config.delivery.backoffMs },
  removeOnComplete: true,
  // Failed jobs stay a day for inspection; their data holds no code in clear.
  removeOnFail: { age: 24 * 3600, count: 10_000 },
});

/** The only producer of the delivery queue; every job option is set here. */
@Injectable()
export class DeliveryQueueService {
  /**
   * Concurrent sends share one pipelined write to Redis (addBulk). A batch that fails is retried job
   * by job, which the job IDs make idempotent.
   */
  private readonly add: (job: NewJob) => Promise<void>;

  constructor(
    @InjectQueue(DELIVERY_QUEUE) queue: Queue<DeliveryJobData>,
    private readonly secrets: SecretsService,
    private readonly config: AppConfig,
  ) {
    this.add = batchedWriter((jobs: NewJob[]) => queue.addBulk(jobs));
  }

  async enqueue(request: DeliveryRequest): Promise<void> {
    const { to, code, loginId, templateOptions, type = 'otp', ...visible } = request;
    const sealed = this.seal(request.projectId, request.challengeId, { type, to, code, loginId, templateOptions });
    // One job per challenge: adding the same challenge twice is a no-op, never a second message.
    // Decoys and account-exists notices look like codes here: only the sealed payload tells them apart.
    await this.add({ name: 'otp', data: { type: 'otp', ...visible, sealed }, opts: { ...RETRIES(this.config), jobId: request.challengeId } });
  }

  /**
   * Queues the fallback step of a code whose delivery failed permanently: the same challenge (same
   * code, recipient and expiry) over `channel`. One job per challenge and channel, so a step is
   * never queued twice. The sealed payload is bound to project and challenge, not channel, so it
   * travels on as it is.
   */
  async enqueueFallback(failed: DeliveryJobData, channel: Channel, deliveryId: string, step: number): Promise<void> {
    // The WebOTP line is the SMS of the channel asked for; a fallback SMS goes without it.
    await this.add({
      name: 'otp',
      data: { ...failed, webOtpDomain: undefined, channel, deliveryId, step },
      opts: { ...RETRIES(this.config), jobId: `${failed.challengeId}-${channel}` },
    });
  }

  /** The sealed part of a job. */
  open(job: DeliveryJobData): SealedPayload {
    return JSON.parse(this.secrets.open('job-seal', job.sealed, sealContext(job.projectId, job.challengeId))) as SealedPayload;
  }

  /** What a job really sends: the sealed type, else the visible one (jobs queued by older versions). */
  typeOf(job: DeliveryJobData): DeliveryJobType {
    if (job.type === 'notice') return 'notice';
    return this.open(job).type ?? job.type ?? 'otp';
  }

  /** Queues the "your address was changed" notice for the old address. */
  async enqueueNotice(request: NoticeRequest): Promise<void> {
    const { to, loginId, newAddress, templateOptions, ...visible } = request;
    const id = randomUUID();
    const sealed = this.seal(request.projectId, id, { to, loginId, newAddress, templateOptions });
    await this.add({ name: 'notice', data: { type: 'notice', ...visible, challengeId: id, expiresAt: Date.now(), sealed }, opts: { ...RETRIES(this.config), jobId: id } });
  }

  private seal(projectId: string, id: string, payload: SealedPayload): string {
    return this.secrets.seal('job-seal', JSON.stringify(payload), sealContext(projectId, id));
  }
}
