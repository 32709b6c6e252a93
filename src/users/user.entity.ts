import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../database/columns.js';

export type UserStatus = 'enabled' | 'disabled' | 'invited';

export interface UserTenant {
  tenantId: string;
  tenantName: string;
  roleNames: string[];
}

@Entity('users')
export class UserEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id: string;

  @Index()
  @Column({ name: 'project_id', type: 'varchar', length: 32 })
  projectId: string;

  @Column({ type: 'varchar', length: 200, nullable: true }) name: string | null;
  @Column({ name: 'given_name', type: 'varchar', length: 200, nullable: true }) givenName: string | null;
  @Column({ name: 'middle_name', type: 'varchar', length: 200, nullable: true }) middleName: string | null;
  @Column({ name: 'family_name', type: 'varchar', length: 200, nullable: true }) familyName: string | null;
  @Column({ type: 'varchar', length: 320, nullable: true }) email: string | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) phone: string | null;
  @Column({ name: 'verified_email', type: 'boolean', default: false }) verifiedEmail: boolean;
  @Column({ name: 'verified_phone', type: 'boolean', default: false }) verifiedPhone: boolean;
  @Column({ type: 'varchar', length: 16, default: 'enabled' }) status: UserStatus;
  @Column({ name: 'role_names', type: 'simple-json' }) roleNames: string[];
  @Column({ name: 'user_tenants', type: 'simple-json' }) userTenants: UserTenant[];
  @Column({ name: 'custom_attributes', type: 'simple-json' }) customAttributes: Record<string, string | number | boolean | null>;
  @Column({ type: 'varchar', length: 2048, nullable: true }) picture: string | null;
  @Column({ type: 'boolean', default: false }) test: boolean;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  /** Set by the first successful verification; null means the next sign-in is the first. */
  @Column({ name: 'last_login_at', type: 'bigint', nullable: true, transformer: epochMs })
  lastLoginAt: number | null;
}
