import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, MoreThan, Repository } from 'typeorm';
import { batchInserter } from '../database/batcher.js';
import { AuditEventEntity } from './audit-event.entity.js';

export type NewAuditEvent = Omit<AuditEventEntity, 'seq'>;

/** Every query of `audit_events`. */
@Injectable()
export class AuditRepository {
  /** Every sign-in writes an event; concurrent ones share one INSERT. */
  private readonly insertOne: (row: AuditEventEntity) => Promise<void>;

  constructor(@InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>) {
    this.insertOne = batchInserter(events);
  }

  insert(event: NewAuditEvent): Promise<void> {
    return this.insertOne(this.events.create(event));
  }

  /** Up to `limit` events of the project after `cursor` (a `seq`), oldest first. */
  after(projectId: string, cursor: number, limit: number): Promise<AuditEventEntity[]> {
    return this.events.find({ where: { projectId, seq: MoreThan(cursor) }, order: { seq: 'ASC' }, take: limit });
  }

  /** The user's latest successful sign-ins, newest first. */
  signIns(projectId: string, userId: string, limit: number): Promise<AuditEventEntity[]> {
    return this.events.find({ where: { projectId, userId, action: 'sign_in', outcome: 'success' }, order: { seq: 'DESC' }, take: limit });
  }

  /** Deletes the events older than `time`; answers how many. */
  async deleteBefore(time: number): Promise<number> {
    const result = await this.events.delete({ createdAt: LessThan(time) });
    return result.affected ?? 0;
  }
}
