import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { batched } from '../database/batcher.js';
import { RawTable } from '../database/raw-table.js';
import { DeliveryEntity, type DeliveryState } from './delivery.entity.js';

/** What a worker learnt of an attempt. */
export type Outcome = 'sent' | 'failed' | 'retrying';

/**
 * For each outcome, the states an existing record moves from, and the columns it takes from the
 * worker's record. sent: from queued, and from failed too: the record follows the job's last
 * outcome, and a failed job that a retry (from the dashboard) delivered was sent; a provider's
 * `failed` callback cannot be undone this way, as it finds its record by the provider message ID,
 * which only this move sets. failed: from queued, and from sent (a stalled job run again). retrying:
 * a queued record takes the attempt's error. A record in any other state is left alone, so a
 * stalled job run again never moves its record backwards.
 */
const OUTCOMES: Record<Outcome, { from: DeliveryState[]; update: (keyof DeliveryEntity & string)[] }> = {
  sent: { from: ['queued', 'failed'], update: ['state', 'attempts', 'provider', 'providerMessageId', 'providerError', 'sentAt', 'failedAt', 'updatedAt'] },
  failed: { from: ['queued', 'sent'], update: ['state', 'attempts', 'provider', 'providerError', 'failedAt', 'updatedAt'] },
  retrying: { from: ['queued'], update: ['attempts', 'provider', 'providerError', 'updatedAt'] },
};

/** Every query of `deliveries`. Every write is a RawTable statement; the hot ones are batched. */
@Injectable()
export class DeliveryRecordsRepository {
  private readonly table: RawTable<DeliveryEntity>;
  /** Concurrent outcomes of one kind share one statement. */
  private readonly writers: Record<Outcome, (row: DeliveryEntity) => Promise<DeliveryEntity | null>>;

  constructor(@InjectRepository(DeliveryEntity) private readonly deliveries: Repository<DeliveryEntity>) {
    this.table = new RawTable(deliveries);
    const writer = (outcome: Outcome) => batched((rows: DeliveryEntity[]) => this.writeMany(outcome, rows));
    this.writers = { sent: writer('sent'), failed: writer('failed'), retrying: writer('retrying') };
  }

  /**
   * The worker's one statement per delivery outcome: inserts the whole record (the API wrote none),
   * or moves the existing one on (see OUTCOMES). Answers the record as written, or null when it was
   * in no state to move.
   */
  write(outcome: Outcome, row: DeliveryEntity): Promise<DeliveryEntity | null> {
    return this.writers[outcome](row);
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

  /** The records written, in the order of `rows`; null for one that was in no state to move. */
  private async writeMany(outcome: Outcome, rows: DeliveryEntity[]): Promise<(DeliveryEntity | null)[]> {
    const { from, update } = OUTCOMES[outcome];
    // One statement may write a record once: of the same record twice in a batch, the first counts.
    const seen = new Set<string>();
    const once = rows.filter((row) => !seen.has(row.id) && seen.add(row.id));
    const written = await this.table.upsertEach(once, { update, where: { state: from } });
    return rows.map(({ id }) => {
      const row = written.get(id) ?? null;
      // One answer per record.
      written.delete(id);
      return row;
    });
  }
}
