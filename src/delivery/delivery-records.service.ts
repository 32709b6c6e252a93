import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { newId } from '../common/crypto/random.js';
import { DomainError } from '../common/errors/domain-error.js';
import { batched, batchInserter } from '../database/batcher.js';
import { RawTable } from '../database/raw-table.js';
import { maskEmail, maskPhone } from '../common/masking.js';
import type { Channel } from '../otp/otp.types.js';
import { DeliveryEntity, type DeliveryState } from './delivery.entity.js';
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

interface SentChange {
  id: string;
  attempts: number;
  provider: string;
  providerMessageId: string | null;
  at: number;
}

/**
 * The delivery records: the API writes `queued`, the worker moves a record to `sent` or `failed`,
 * a provider callback to `delivered` or `failed`. Every change goes to the project's status webhook.
 */
@Injectable()
export class DeliveryRecordsService {
  /** Every send writes a record before it answers; concurrent sends share one INSERT. */
  private readonly insert: (row: DeliveryEntity) => Promise<void>;

  /** Every delivery a worker makes ends here; concurrent ones share one UPDATE. */
  private readonly markSent = batched((changes: SentChange[]) => this.sentMany(changes));
  private readonly table: RawTable<DeliveryEntity>;

  constructor(
    @InjectRepository(DeliveryEntity) private readonly deliveries: Repository<DeliveryEntity>,
    private readonly webhook: StatusWebhookService,
  ) {
    this.insert = batchInserter(deliveries);
    this.table = new RawTable(deliveries);
  }

  async queued(input: NewDelivery): Promise<DeliveryEntity> {
    const now = Date.now();
    const entity = this.deliveries.create({
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
    await this.insert(entity);
    this.webhook.notify(toView(entity));
    return entity;
  }

  /** The provider accepted the message (for SMTP, the server accepted the mail). */
  sent(id: string, attempts: number, provider: string, providerMessageId: string | undefined): Promise<DeliveryEntity | null> {
    return this.markSent({ id, attempts, provider, providerMessageId: providerMessageId ?? null, at: Date.now() });
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
    return this.deliveries.findOneBy({ provider, providerMessageId });
  }

  async listForLoginId(projectId: string, loginId: string, limit = 50): Promise<DeliveryView[]> {
    const rows = await this.deliveries.find({ where: { projectId, loginId }, order: { createdAt: 'DESC' }, take: limit });
    return rows.map(toView);
  }

  async get(projectId: string, id: string): Promise<DeliveryView> {
    const row = await this.deliveries.findOneBy({ projectId, id });
    if (!row) throw new DomainError('NOT_FOUND', `No delivery ${JSON.stringify(id)} in this project`);
    return toView(row);
  }

  /**
   * queued → sent for a batch of records, in one statement: the same conditional move as change().
   * failed → sent too: the record follows the job's last outcome, and a failed job that a retry
   * (from the dashboard) delivered was sent. A provider's `failed` callback cannot be undone this
   * way: it finds its record by the provider message ID, which only this move sets.
   */
  private async sentMany(changes: SentChange[]): Promise<(DeliveryEntity | null)[]> {
    const moved = await this.table.updateEach(
      changes.map(({ id, attempts, provider, providerMessageId, at }) => ({ id, set: { attempts, provider, providerMessageId, sentAt: at, updatedAt: at } })),
      { also: `"state" = 'sent', "provider_error" = NULL, "failed_at" = NULL`, where: `"state" IN ('queued', 'failed')` },
    );
    return changes.map(({ id }) => {
      const row = moved.get(id);
      if (!row) return null;
      moved.delete(id);
      this.webhook.notify(toView(row));
      return row;
    });
  }

  /**
   * Applies `changes` when the record is in one of `from` (a late or repeated event never moves a
   * record backwards) and tells the webhook when the state moved.
   */
  private async change(id: string, from: DeliveryState[], changes: Partial<DeliveryEntity>, announce = true): Promise<DeliveryEntity | null> {
    // A conditional update, so two events racing for one record cannot both move it.
    const result = await this.deliveries.update({ id, state: In(from) }, { ...changes, updatedAt: Date.now() });
    if (!result.affected) return null;
    const row = await this.deliveries.findOneBy({ id });
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
