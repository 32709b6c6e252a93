import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../database/columns.js';
import type { Jwk } from './signing-keys.service.js';

/** A project's RSA signing key. The private key is sealed with a key derived from OTP_SECRET. */
@Entity('signing_keys')
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid: string;

  @Index()
  @Column({ name: 'project_id', type: 'varchar', length: 32 })
  projectId: string;

  @Column({ name: 'public_jwk', type: 'simple-json' })
  publicJwk: Jwk;

  @Column({ name: 'private_key_sealed', type: 'text' })
  privateKeySealed: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  /** When another key became current; null while this one signs. */
  @Column({ name: 'retired_at', type: 'bigint', nullable: true, transformer: epochMs })
  retiredAt: number | null;

  /** After this instant no token it signed is still valid, and the JWKS stops serving it. */
  @Column({ name: 'serve_until', type: 'bigint', nullable: true, transformer: epochMs })
  serveUntil: number | null;
}
