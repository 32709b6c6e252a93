import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../database/columns.js';

export type DeliveryState = 'queued' | 'sent' | 'delivered' | 'failed';

/** One message sent (or being sent) for a challenge. Never holds the code or the full address. */
@Entity('deliveries')
export class DeliveryEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id: string;

  @Column({ name: 'challenge_id', type: 'varchar', length: 64 })
  challengeId: string;

  @Column({ name: 'project_id', type: 'varchar', length: 32 })
  projectId: string;

  @Column({ name: 'login_id', type: 'varchar', length: 320 })
  loginId: string;

  @Column({ type: 'varchar', length: 16 })
  channel: string;

  /** Position in the project's fallback chain: 0 for the channel the user asked for. */
  @Column({ type: 'integer', default: 0 })
  step: number;

  @Column({ name: 'recipient_masked', type: 'varchar', length: 64 })
  recipientMasked: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  provider: string | null;

  @Column({ type: 'varchar', length: 16 })
  state: DeliveryState;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'provider_message_id', type: 'varchar', length: 256, nullable: true })
  providerMessageId: string | null;

  @Column({ name: 'provider_error', type: 'varchar', length: 1000, nullable: true })
  providerError: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt: number;

  @Column({ name: 'sent_at', type: 'bigint', nullable: true, transformer: epochMs })
  sentAt: number | null;

  @Column({ name: 'delivered_at', type: 'bigint', nullable: true, transformer: epochMs })
  deliveredAt: number | null;

  @Column({ name: 'failed_at', type: 'bigint', nullable: true, transformer: epochMs })
  failedAt: number | null;
}
