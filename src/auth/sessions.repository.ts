import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { batchInserter } from '../database/batcher.js';
import { RawTable } from '../database/raw-table.js';
import { SessionEntity } from './session.entity.js';

/** Every query of `sessions` (one row per refresh JWT). Every write is a RawTable statement. */
@Injectable()
export class SessionsRepository {
  /** Every sign-in and refresh stores its session before answering; concurrent ones share one INSERT. */
  readonly insert: (row: SessionEntity) => Promise<void>;
  private readonly table: RawTable<SessionEntity>;

  constructor(@InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>) {
    this.insert = batchInserter(sessions);
    this.table = new RawTable(sessions);
  }

  /** A new row: the entity with every column set. */
  create(values: SessionEntity): SessionEntity {
    return this.sessions.create(values);
  }

  find(id: string, projectId?: string): Promise<SessionEntity | null> {
    return this.sessions.findOneBy(projectId === undefined ? { id } : { id, projectId });
  }

  /**
   * Marks a live, not yet rotated session rotated and names its successor, in one conditional
   * UPDATE: of two concurrent rotations exactly one answers true.
   */
  async markRotated(id: string, successorId: string, at: number): Promise<boolean> {
    return (await this.table.run(this.table.updateStatement({ id, rotatedAt: null, revokedAt: null }, { rotatedAt: at, successorId }))) === 1;
  }

  async revokeFamily(familyId: string, at: number): Promise<void> {
    await this.table.run(this.table.updateStatement({ familyId, revokedAt: null }, { revokedAt: at }));
  }

  /** Revokes every live session of the user. */
  async revokeUser(projectId: string, userId: string, at: number): Promise<void> {
    await this.table.run(this.table.updateStatement({ projectId, userId, revokedAt: null }, { revokedAt: at }));
  }

  /** The latest expiry (epoch ms) of the project's sessions, 0 when it has none. */
  async latestExpiry(projectId: string): Promise<number> {
    const latest = await this.sessions.maximum('expiresAt', { projectId });
    return Number(latest ?? 0);
  }
}
