import { after } from 'node:test';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config.js';
import { MIGRATIONS } from '../../src/database/migrations/index.js';
import { ENTITIES } from '../../src/entities.js';
import { sqliteDriver } from '../../src/database/sqlite-driver.js';
import { createPostgresDatabase } from './stack.js';

export const DATABASE_KINDS = ['sqlite', 'postgres'] as const;

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/**
 * A fresh database with the real migrations applied, for specs of repositories: in memory on SQLite,
 * a database of its own on PostgreSQL. Both are dropped when the spec file ends.
 */
export async function migratedDatabase(kind: (typeof DATABASE_KINDS)[number]): Promise<DataSource> {
  const common = { entities: ENTITIES, migrations: MIGRATIONS, synchronize: false };
  const dataSource =
    kind === 'sqlite'
      ? new DataSource({ ...common, type: 'better-sqlite3', driver: sqliteDriver, database: ':memory:' })
      : new DataSource({ ...common, type: 'postgres', url: await createPostgresDatabase(cleanups) });
  await dataSource.initialize();
  cleanups.push(() => dataSource.destroy());
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

/** The configuration of a process on this kind of database (as the CLI reads it), with `env` on top. */
export function configFor(kind: (typeof DATABASE_KINDS)[number], env: Record<string, string> = {}): AppConfig {
  return AppConfig.fromEnvironment({ DATABASE_URL: kind === 'postgres' ? 'postgres://localhost/any' : 'sqlite::memory:', ...env }, 'cli');
}
