import { type MigrationInterface, type QueryRunner, Table, TableIndex, type TableColumnOptions } from 'typeorm';

const str = (name: string, length: number, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable });
const ms = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'bigint', isNullable });
const int = (name: string): TableColumnOptions => ({ name, type: 'integer', default: 0 });

/** Delivery records (one per message sent for a challenge) and the audit trail. */
export class DeliveriesAndAudit1764600000000 implements MigrationInterface {
  name = 'DeliveriesAndAudit1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'deliveries',
        columns: [
          { ...str('id', 32), isPrimary: true },
          str('challenge_id', 64),
          str('project_id', 32),
          str('login_id', 320),
          str('channel', 16),
          int('step'),
          str('recipient_masked', 64),
          str('provider', 32, true),
          str('state', 16),
          int('attempts'),
          str('provider_message_id', 256, true),
          str('provider_error', 1000, true),
          str('request_id', 128, true),
          ms('created_at'),
          ms('updated_at'),
          ms('sent_at', true),
          ms('delivered_at', true),
          ms('failed_at', true),
        ],
        indices: [
          new TableIndex({ name: 'IDX_deliveries_login', columnNames: ['project_id', 'login_id', 'created_at'] }),
          new TableIndex({ name: 'IDX_deliveries_challenge', columnNames: ['challenge_id'] }),
          new TableIndex({ name: 'IDX_deliveries_provider_message', columnNames: ['provider_message_id'] }),
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          { name: 'seq', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          str('project_id', 32),
          str('action', 32),
          str('outcome', 16),
          str('user_id', 32, true),
          str('login_id_masked', 340, true),
          str('method', 16, true),
          str('ip', 64, true),
          str('user_agent', 512, true),
          str('request_id', 128, true),
          { name: 'detail', type: 'text', isNullable: true },
          ms('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'IDX_audit_events_project', columnNames: ['project_id', 'seq'] }),
          new TableIndex({ name: 'IDX_audit_events_created', columnNames: ['created_at'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('audit_events');
    await q.dropTable('deliveries');
  }
}
