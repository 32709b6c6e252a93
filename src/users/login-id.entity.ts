import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A login ID of a user. The primary key (project, login ID) is what makes two concurrent sign-ups
 * of one login ID produce exactly one user.
 */
@Entity('login_ids')
export class LoginIdEntity {
  @PrimaryColumn({ name: 'project_id', type: 'varchar', length: 32 })
  projectId: string;

  @PrimaryColumn({ name: 'login_id', type: 'varchar', length: 320 })
  loginId: string;

  @Index()
  @Column({ name: 'user_id', type: 'varchar', length: 32 })
  userId: string;

  /** Order in which the user's login IDs were added; the first is the primary one. */
  @Column({ type: 'integer', default: 0 })
  position: number;
}
