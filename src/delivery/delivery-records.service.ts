import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { maskEmail, maskPhone } from '../common/masking.js';
import { OtpService } from '../otp/otp.service.js';
import { DeliveryQueueService } from './delivery-queue.service.js';
import { DeliveryRecordsRepository, type Outcome } from './delivery-records.repository.js';
import type { DeliveryEntity, DeliveryState } from './delivery.entity.js';
import type { QueuedDelivery } from './delivery.types.js';
import { StatusWebhookService } from './status-webhook.service.js';

/** A delivery record as the management route and the status webhook show it: no code, masked recipient. */
export interface DeliveryView {
  deliveryId: string;
  challengeId: string;
  projectId: string;
  loginId: string;
  channel: string;
  step: number;
  recipient: string;
  provider: string | null;
  state: DeliveryState;
  attempts: number;
  providerMessageId: string | null;
  providerError: string | null;
  requestId: string | null;
  createdTime: number;
  updatedTime: number;
  sentTime: number | null;
  deliveredTime: number | null;
  failedTime: number | null;
}

const MAX_ERROR = 1000;

/**
 * The delivery records. A send writes nothing to the database: its delivery is `queued` as long as
 * its job waits in Redis, and the reads below show it from there. The worker writes the record once
 * per attempt's outcome (`sent`, `failed`, or `queued` again with the error before a retry), in one
 * statement that inserts it or moves it on; a provider callback moves it to `delivered` or `failed`.
 * Every change goes to the project's status webhook, `queued` from the process that queued the job.
 */
@Injectable()
export class DeliveryRecordsService {
  constructor(
    private readonly records: DeliveryRecordsRepository,
    private readonly webhook: StatusWebhookService,
    private readonly queue: DeliveryQueueService,
    private readonly otp: OtpService,
  ) {}

  /** A job was queued: tells the webhook. The record is the job's until a worker writes it. */
  queued(delivery: QueuedDelivery): DeliveryView {
    const view = toView(row(delivery));
    this.webhook.notify(view);
    return view;
  }

  /** The provider accepted the message (for SMTP, the server accepted the mail). */
  sent(delivery: QueuedDelivery, attempts: number, provider: string, providerMessageId: string | undefined): Promise<DeliveryEntity | null> {
    const at = Date.now();
    return this.write('sent', row(delivery, { state: 'sent', attempts, provider, providerMessageId: providerMessageId ?? null, sentAt: at, updatedAt: at }));
  }

  /**
   * An attempt failed and the queue will retry: the record is queued, with the error, which the
   * webhook (told of `queued` when the job was) does not hear of. A failed record whose job was
   * retried (from the dashboard) is queued again, and the webhook hears of that.
   */
  async retrying(delivery: QueuedDelivery, attempts: number, provider: string | null, error: string): Promise<DeliveryEntity | null> {
    const retry = { attempts, provider, providerError: truncate(error), updatedAt: Date.now() };
    const written = await this.records.write('retrying', row(delivery, retry));
    return written ?? this.change(delivery.id, ['failed'], { ...retry, state: 'queued', failedAt: null });
  }

  /** The job failed for good (the provider refused it, or its attempts are spent). */
  failedDelivery(delivery: QueuedDelivery, attempts: number, provider: string | null, error: string): Promise<DeliveryEntity | null> {
    const at = Date.now();
    return this.write('failed', row(delivery, { state: 'failed', attempts, provider, providerError: truncate(error), failedAt: at, updatedAt: at }));
  }

  /** A provider's status callback: the message did not reach the handset. */
  failed(id: string, attempts: number, provider: string | null, error: string): Promise<DeliveryEntity | null> {
    return this.change(id, ['queued', 'sent'], { state: 'failed', attempts, provider, providerError: truncate(error), failedAt: Date.now() });
  }

  /** A provider's status callback: the handset has the message. */
  delivered(id: string): Promise<DeliveryEntity | null> {
    return this.change(id, ['queued', 'sent'], { state: 'delivered', deliveredAt: Date.now() });
  }

  async findByProviderMessageId(provider: string, providerMessageId: string): Promise<DeliveryEntity | null> {
    return this.records.findByProviderMessageId(provider, providerMessageId);
  }

  /**
   * The login ID's latest deliveries, newest first: the records, and the deliveries of its live
   * challenge still in the queue. The queue is read first: a job that is gone by then has its record.
   */
  async listForLoginId(projectId: string, loginId: string, limit = 50): Promise<DeliveryView[]> {
    const challenge = await this.otp.current(projectId, loginId);
    const queued = challenge ? await this.queue.queued(challenge) : [];
    const written = await this.records.listForLoginId(projectId, loginId, limit);
    const ids = new Set(written.map((record) => record.id));
    const waiting = queued.filter((delivery) => delivery.projectId === projectId && !ids.has(delivery.id)).map((delivery) => row(delivery));
    if (!waiting.length) return written.map(toView);
    return [...waiting, ...written].sort((a, b) => b.createdAt - a.createdAt).slice(0, limit).map(toView);
  }

  /** One delivery: its record, or its job while no worker has written the record. */
  async get(projectId: string, id: string): Promise<DeliveryView> {
    const found = (await this.records.findOne(projectId, id)) ?? (await this.waiting(projectId, id));
    if (!found) throw new DomainError('NOT_FOUND', `No delivery ${JSON.stringify(id)} in this project`);
    return toView(found);
  }

  /** The record of a job in the queue; when the job is gone, the record its worker wrote meanwhile. */
  private async waiting(projectId: string, id: string): Promise<DeliveryEntity | null> {
    const [queued] = await this.queue.queued({ deliveryId: id });
    if (!queued) return this.records.findOne(projectId, id);
    return queued.projectId === projectId && queued.id === id ? row(queued) : null;
  }

  /** The worker's write for an outcome; the webhook hears of it when the record moved. */
  private async write(outcome: Outcome, record: DeliveryEntity): Promise<DeliveryEntity | null> {
    const written = await this.records.write(outcome, record);
    if (written) this.webhook.notify(toView(written));
    return written;
  }

  /**
   * Applies `changes` when the record is in one of `from` (a late or repeated event never moves a
   * record backwards) and tells the webhook when the state moved.
   */
  private async change(id: string, from: DeliveryState[], changes: Partial<DeliveryEntity>, announce = true): Promise<DeliveryEntity | null> {
    const row = await this.records.move(id, from, { ...changes, updatedAt: Date.now() });
    if (row && announce) this.webhook.notify(toView(row));
    return row;
  }
}

/** The record of a queued delivery, with `changes`. */
function row(delivery: QueuedDelivery, changes: Partial<DeliveryEntity> = {}): DeliveryEntity {
  return {
    id: delivery.id,
    challengeId: delivery.challengeId,
    projectId: delivery.projectId,
    loginId: delivery.loginId,
    channel: delivery.channel,
    step: delivery.step,
    recipientMasked: delivery.channel === 'email' ? maskEmail(delivery.to) : maskPhone(delivery.to),
    provider: null,
    state: 'queued',
    attempts: 0,
    providerMessageId: null,
    providerError: null,
    requestId: delivery.requestId ?? null,
    createdAt: delivery.createdAt,
    updatedAt: delivery.createdAt,
    sentAt: null,
    deliveredAt: null,
    failedAt: null,
    ...changes,
  };
}

export function toView(row: DeliveryEntity): DeliveryView {
  return {
    deliveryId: row.id,
    challengeId: row.challengeId,
    projectId: row.projectId,
    loginId: row.loginId,
    channel: row.channel,
    step: row.step,
    recipient: row.recipientMasked,
    provider: row.provider,
    state: row.state,
    attempts: row.attempts,
    providerMessageId: row.providerMessageId,
    providerError: row.providerError,
    requestId: row.requestId,
    createdTime: row.createdAt,
    updatedTime: row.updatedAt,
    sentTime: row.sentAt,
    deliveredTime: row.deliveredAt,
    failedTime: row.failedAt,
  };
}

function truncate(text: string): string {
  return text.length > MAX_ERROR ? `${text.slice(0, MAX_ERROR - 1)}…` : text;
}
