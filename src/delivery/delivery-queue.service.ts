import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Job, JobsOptions, Queue } from 'bullmq';
import { SecretsService } from '../common/crypto/secrets.service.js';
import { AppConfig } from '../config/app-config.js';
import { batchedWriter } from '../database/batcher.js';
import { CHANNELS, type Channel, type Purpose } from '../otp/otp.types.js';
import { DELIVERY_QUEUE } from '../queue/queue-names.js';
import { type DeliveryJobData, type DeliveryJobType, type QueuedDelivery, type SealedPayload, sealContext } from './delivery.types.js';

export type DeliveryRequest = Omit<DeliveryJobData, 'sealed' | 'type' | 'deliveryId' | 'step'> &
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

/**
 * A delivery is its job: one per challenge and channel (the job ID is the challenge ID, and
 * `<challenge ID>-<channel>` for a fallback step). Its ID is made from the job's, so that a delivery
 * that no worker has written a record for yet is found by its ID in the queue. 'D', the challenge
 * UUID in base64url, and `.<channel>` for a fallback step: at most 32 characters.
 */
export function deliveryIdOf(challengeId: string, fallbackChannel?: Channel): string {
  const hex = challengeId.replaceAll('-', '');
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`Challenge ID ${challengeId} is no UUID`);
  return `D${Buffer.from(hex, 'hex').toString('base64url')}${fallbackChannel ? `.${fallbackChannel}` : ''}`;
}

/** The job ID of a delivery ID that deliveryIdOf made; null for any other string. */
export function jobIdOf(deliveryId: string): string | null {
  const parts = /^D([A-Za-z0-9_-]{22})(?:\.([a-z]+))?$/.exec(deliveryId);
  if (!parts || (parts[2] !== undefined && !(CHANNELS as readonly string[]).includes(parts[2]))) return null;
  const hex = Buffer.from(parts[1]!, 'base64url').toString('hex');
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return jobId(uuid, parts[2] as Channel | undefined);
}

function jobId(challengeId: string, fallbackChannel?: Channel): string {
  return fallbackChannel ? `${challengeId}-${fallbackChannel}` : challengeId;
}

/** The only producer of the delivery queue; every job option is set here. */
@Injectable()
export class DeliveryQueueService {
  /**
   * Concurrent sends share one pipelined write to Redis (addBulk). A batch that fails is retried job
   * by job, which the job IDs make idempotent.
   */
  private readonly add: (job: NewJob) => Promise<void>;

  constructor(
    @InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue<DeliveryJobData>,
    private readonly secrets: SecretsService,
    private readonly config: AppConfig,
  ) {
    this.add = batchedWriter((jobs: NewJob[]) => queue.addBulk(jobs));
  }

  /** Queues a challenge's code (or decoy) as of `queuedAt`, the job's timestamp; answers the delivery ID. */
  async enqueue(request: DeliveryRequest, queuedAt: number): Promise<string> {
    const { to, code, loginId, templateOptions, type = 'otp', ...visible } = request;
    const sealed = this.seal(request.projectId, request.challengeId, { type, to, code, loginId, templateOptions });
    const deliveryId = deliveryIdOf(request.challengeId);
    // One job per challenge: adding the same challenge twice is a no-op, never a second message.
    // Decoys and account-exists notices look like codes here: only the sealed payload tells them apart.
    await this.add({
      name: 'otp',
      data: { type: 'otp', ...visible, deliveryId, sealed },
      opts: { ...RETRIES(this.config), jobId: jobId(request.challengeId), timestamp: queuedAt },
    });
    return deliveryId;
  }

  /**
   * Queues the fallback step of a code whose delivery failed permanently: the same challenge (same
   * code, recipient and expiry) over `channel`. One job per challenge and channel, so a step is
   * never queued twice. The sealed payload is bound to project and challenge, not channel, so it
   * travels on as it is.
   */
  async enqueueFallback(failed: DeliveryJobData, channel: Channel, step: number, queuedAt: number): Promise<string> {
    const deliveryId = deliveryIdOf(failed.challengeId, channel);
    // The WebOTP line is the SMS of the channel asked for; a fallback SMS goes without it.
    await this.add({
      name: 'otp',
      data: { ...failed, webOtpDomain: undefined, channel, deliveryId, step },
      opts: { ...RETRIES(this.config), jobId: jobId(failed.challengeId, channel), timestamp: queuedAt },
    });
    return deliveryId;
  }

  /** What the delivery record of a job says; null for a job with no record (a notice). */
  delivery(job: Pick<Job<DeliveryJobData>, 'data' | 'timestamp'>): QueuedDelivery | null {
    const { data } = job;
    if (!data.deliveryId) return null;
    const { to, loginId = '' } = this.open(data);
    const { challengeId, projectId, channel, step = 0, requestId } = data;
    return { id: data.deliveryId, challengeId, projectId, loginId, channel, to, step, requestId, createdAt: job.timestamp };
  }

  /**
   * The deliveries of a challenge that are still in the queue (of its channels, the first is the
   * one it was issued for, the others its fallback steps), or of one delivery ID; jobs that are
   * gone (done, or removed) are left out.
   */
  async queued(where: { challengeId: string; channels: Channel[] } | { deliveryId: string }): Promise<QueuedDelivery[]> {
    const ids =
      'deliveryId' in where
        ? [jobIdOf(where.deliveryId)].filter((id) => id !== null)
        : where.channels.map((channel, i) => jobId(where.challengeId, i ? channel : undefined));
    const jobs = await Promise.all(ids.map((id) => this.queue.getJob(id)));
    return jobs.flatMap((job) => {
      const delivery = job ? this.delivery(job) : null;
      return delivery ? [delivery] : [];
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
