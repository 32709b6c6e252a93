import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * `sessions.successor_id`: the refresh JWT a rotation issued, so that a reuse of the rotated JWT
 * within the grace window answers that same successor instead of starting a second chain.
 */
export class SessionSuccessor1764900000000 implements MigrationInterface {
  name = 'SessionSuccessor1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('sessions', new TableColumn({ name: 'successor_id', type: 'varchar', length: '32', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('sessions', 'successor_id');
  }
}
