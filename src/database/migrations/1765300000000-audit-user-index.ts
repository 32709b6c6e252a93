import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/** `me/history` reads one user's sign-ins newest first; without this index it scans the project's whole trail. */
export class AuditUserIndex1765300000000 implements MigrationInterface {
  name = 'AuditUserIndex1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex('audit_events', new TableIndex({ name: 'IDX_audit_events_user', columnNames: ['project_id', 'user_id', 'seq'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('audit_events', 'IDX_audit_events_user');
  }
}
