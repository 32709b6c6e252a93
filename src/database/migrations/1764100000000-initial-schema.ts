import { type MigrationInterface, type QueryRunner, Table, TableIndex, type TableColumnOptions } from 'typeorm';

// Written with TypeORM's schema builder rather than SQL so that one migration serves both
// PostgreSQL and SQLite.
const id = (name = 'id', length = 32): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isPrimary: true });
const str = (name: string, length: number, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable });
const ms = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'bigint', isNullable });
const bool = (name: string): TableColumnOptions => ({ name, type: 'boolean', default: false });
const json = (name: string): TableColumnOptions => ({ name, type: 'text' });

export class InitialSchema1764100000000 implements MigrationInterface {
  name = 'InitialSchema1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({ name: 'projects', columns: [id(), str('name', 200), json('settings'), ms('created_at')] }));

    await q.createTable(
      new Table({
        name: 'management_keys',
        columns: [id(), str('project_id', 32), str('key_hash', 64), str('name', 200), ms('created_at'), ms('revoked_at', true)],
        indices: [
          new TableIndex({ name: 'IDX_management_keys_project', columnNames: ['project_id'] }),
          new TableIndex({ name: 'UQ_management_keys_hash', columnNames: ['key_hash'], isUnique: true }),
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'users',
        columns: [
          id(),
          str('project_id', 32),
          str('name', 200, true),
          str('given_name', 200, true),
          str('middle_name', 200, true),
          str('family_name', 200, true),
          str('email', 320, true),
          str('phone', 32, true),
          bool('verified_email'),
          bool('verified_phone'),
          { name: 'status', type: 'varchar', length: '16', default: "'enabled'" },
          json('role_names'),
          json('user_tenants'),
          json('custom_attributes'),
          str('picture', 2048, true),
          bool('test'),
          ms('created_at'),
          ms('last_login_at', true),
        ],
        indices: [new TableIndex({ name: 'IDX_users_project', columnNames: ['project_id'] })],
      }),
    );

    await q.createTable(
      new Table({
        name: 'login_ids',
        columns: [
          { ...str('project_id', 32), isPrimary: true },
          { ...str('login_id', 320), isPrimary: true },
          str('user_id', 32),
          { name: 'position', type: 'integer', default: 0 },
        ],
        indices: [new TableIndex({ name: 'IDX_login_ids_user', columnNames: ['user_id'] })],
      }),
    );

    await q.createTable(
      new Table({
        name: 'sessions',
        columns: [
          id(),
          str('project_id', 32),
          str('user_id', 32),
          str('family_id', 32),
          json('amr'),
          ms('created_at'),
          ms('expires_at'),
          ms('rotated_at', true),
          ms('revoked_at', true),
          str('user_agent', 512, true),
          str('ip', 64, true),
        ],
        indices: [
          new TableIndex({ name: 'IDX_sessions_project', columnNames: ['project_id'] }),
          new TableIndex({ name: 'IDX_sessions_user', columnNames: ['user_id'] }),
          new TableIndex({ name: 'IDX_sessions_family', columnNames: ['family_id'] }),
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'signing_keys',
        columns: [
          id('kid', 64),
          str('project_id', 32),
          json('public_jwk'),
          { name: 'private_key_sealed', type: 'text' },
          ms('created_at'),
          ms('retired_at', true),
          ms('serve_until', true),
        ],
        indices: [new TableIndex({ name: 'IDX_signing_keys_project', columnNames: ['project_id'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['signing_keys', 'sessions', 'login_ids', 'users', 'management_keys', 'projects']) {
      await q.dropTable(table);
    }
  }
}
