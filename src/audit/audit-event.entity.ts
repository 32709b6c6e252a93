import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from '../database/columns.js';

/** One security-relevant event. `seq` orders events and pages the audit route. */
@Entity('audit_events')
export class AuditEventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'integer' })
  seq: number;

  @Column({ name: 'project_id', type: 'varchar', length: 32 })
  projectId: string;

  @Column({ type: 'varchar', length: 32 })
  action: string;

  @Column({ type: 'varchar', length: 16 })
  outcome: string;

  @Column({ name: 'user_id', type: 'varchar', length: 32, nullable: true })
  userId: string | null;

  @Column({ name: 'login_id_masked', type: 'varchar', length: 340, nullable: true })
  loginIdMasked: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  method: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  @Column({ type: 'simple-json', nullable: true })
  detail: Record<string, unknown> | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;
}
