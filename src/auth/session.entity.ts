import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../database/columns.js';

/** One refresh JWT (its `jti`). Rotation links sessions of one sign-in through `familyId`. */
@Entity('sessions')
export class SessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id: string;

  @Index()
  @Column({ name: 'project_id', type: 'varchar', length: 32 })
  projectId: string;

  @Index()
  @Column({ name: 'user_id', type: 'varchar', length: 32 })
  userId: string;

  @Index()
  @Column({ name: 'family_id', type: 'varchar', length: 32 })
  familyId: string;

  @Column({ type: 'simple-json' })
  amr: string[];

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt: number;

  @Column({ name: 'rotated_at', type: 'bigint', nullable: true, transformer: epochMs })
  rotatedAt: number | null;

  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: epochMs })
  revokedAt: number | null;

  /** The session (jti) the rotation of this one issued; a reuse within the grace window gets it again. */
  @Column({ name: 'successor_id', type: 'varchar', length: 32, nullable: true })
  successorId: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;
}
