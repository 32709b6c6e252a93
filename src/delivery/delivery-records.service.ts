import { Injectable } from '@nestjs/common';
import { newId } from '../common/crypto/random.js';
import { DomainError } from '../common/errors/domain-error.js';
import { maskEmail, maskPhone } from '../common/masking.js';
import type { Channel } from '../otp/otp.types.js';
import { DeliveryRecordsRepository } from './delivery-records.repository.js';
import type { DeliveryEntity, DeliveryState } from './delivery.entity.js';
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

export interface NewDelivery {
  challengeId: string;
  projectId: string;
  loginId: string;
  channel: Channel;
  to: string;
  step?: number;
  requestId?: string;
}

const MAX_ERROR = 1000;

/**
 * The delivery records: the API writes `queued`, the worker moves a record to `sent` or `failed`,
 * a provider callback to `delivered` or `failed`. Every change goes to the project's status webhook.
 */
@Injectable()
export class DeliveryRecordsService {
  constructor(
    private readonly records: DeliveryRecordsRepository,
    private readonly webhook: StatusWebhookService,
  ) {}

  async queued(input: NewDelivery): Promise<DeliveryEntity> {
    const now = Date.now();
    const entity = this.records.create({
      id: newId('D'),
      challengeId: input.challengeId,
      projectId: input.projectId,
      loginId: input.loginId,
      channel: input.channel,
      step: input.step ?? 0,
      recipientMasked: input.channel === 'email' ? maskEmail(input.to) : maskPhone(input.to),
      provider: null,
      state: 'queued',
      attempts: 0,
      providerMessageId: null,
      providerError: null,
      requestId: input.requestId ?? null,
      createdAt: now,
      updatedAt: now,
      sentAt: null,
      deliveredAt: null,
      failedAt: null,
    });
    await this.records.insert(entity);
    this.webhook.notify(toView(entity));
    return entity;
  }

  /** The provider accepted the message (for SMTP, the server accepted the mail). */
  async sent(id: string, attempts: number, provider: string, providerMessageId: string | undefined): Promise<DeliveryEntity | null> {
    const row = await this.records.markSent({ id, attempts, provider, providerMessageId: providerMessageId ?? null, at: Date.now() });
    if (row) this.webhook.notify(toView(row));
    return row;
  }

  /**
   * An attempt failed and the queue will retry: the record stays queued, with the error. A failed
   * record whose job was retried (from the dashboard) is queued again, and the webhook hears of it.
   */
  async retrying(id: string, attempts: number, provider: string | null, error: string): Promise<DeliveryEntity | null> {
    const requeued = await this.change(id, ['failed'], { state: 'queued', attempts, provider, providerError: truncate(error), failedAt: null });
    return requeued ?? this.change(id, ['queued'], { attempts, provider, providerError: truncate(error) }, false);
  }

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

  async listForLoginId(projectId: string, loginId: string, limit = 50): Promise<DeliveryView[]> {
    return (await this.records.listForLoginId(projectId, loginId, limit)).map(toView);
  }

  async get(projectId: string, id: string): Promise<DeliveryView> {
    const row = await this.records.findOne(projectId, id);
    if (!row) throw new DomainError('NOT_FOUND', `No delivery ${JSON.stringify(id)} in this project`);
    return toView(row);
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
