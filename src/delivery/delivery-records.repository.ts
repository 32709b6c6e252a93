import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { batched, batchInserter } from '../database/batcher.js';
import { RawTable } from '../database/raw-table.js';
import { DeliveryEntity, type DeliveryState } from './delivery.entity.js';

export interface SentChange {
  id: string;
  attempts: number;
  provider: string;
  providerMessageId: string | null;
  at: number;
}

/** Every query of `deliveries`. Every write is a RawTable statement; the hot ones are batched. */
@Injectable()
export class DeliveryRecordsRepository {
  /** Every send writes a record before it answers; concurrent sends share one INSERT. */
  readonly insert: (row: DeliveryEntity) => Promise<void>;

  /**
   * Every delivery a worker makes ends here; concurrent ones share one UPDATE. queued → sent, and
   * failed → sent too: the record follows the job's last outcome, and a failed job that a retry
   * (from the dashboard) delivered was sent. A provider's `failed` callback cannot be undone this
   * way: it finds its record by the provider message ID, which only this move sets.
   */
  readonly markSent = batched((changes: SentChange[]) => this.sentMany(changes));
  private readonly table: RawTable<DeliveryEntity>;

  constructor(@InjectRepository(DeliveryEntity) private readonly deliveries: Repository<DeliveryEntity>) {
    this.insert = batchInserter(deliveries);
    this.table = new RawTable(deliveries);
  }

  /** A new record: the entity with every column set. */
  create(values: DeliveryEntity): DeliveryEntity {
    return this.deliveries.create(values);
  }

  /**
   * Applies `changes` when the record is in one of `from`, in one conditional UPDATE (two events
   * racing for one record cannot both move it); answers the record as it now is, or null.
   */
  async move(id: string, from: DeliveryState[], changes: Partial<DeliveryEntity>): Promise<DeliveryEntity | null> {
    const moved = await this.table.updateEach([{ id, set: changes }], { where: { state: from } });
    return moved.get(id) ?? null;
  }

  findByProviderMessageId(provider: string, providerMessageId: string): Promise<DeliveryEntity | null> {
    return this.deliveries.findOneBy({ provider, providerMessageId });
  }

  /** The login ID's latest records, newest first. */
  listForLoginId(projectId: string, loginId: string, limit: number): Promise<DeliveryEntity[]> {
    return this.deliveries.find({ where: { projectId, loginId }, order: { createdAt: 'DESC' }, take: limit });
  }

  findOne(projectId: string, id: string): Promise<DeliveryEntity | null> {
    return this.deliveries.findOneBy({ projectId, id });
  }

  /** The records moved, in the order of `changes`; null for one that was in no state to move. */
  private async sentMany(changes: SentChange[]): Promise<(DeliveryEntity | null)[]> {
    const moved = await this.table.updateEach(
      changes.map(({ id, attempts, provider, providerMessageId, at }) => ({ id, set: { attempts, provider, providerMessageId, sentAt: at, updatedAt: at } })),
      { also: { state: 'sent', providerError: null, failedAt: null }, where: { state: ['queued', 'failed'] } },
    );
    return changes.map(({ id }) => {
      const row = moved.get(id) ?? null;
      // One answer per record: the same record twice in a batch moved once.
      moved.delete(id);
      return row;
    });
  }
}
