import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { MIGRATIONS } from './migrations/index.js';
import { sqliteDriver } from './sqlite-driver.js';
import { TypeOrmNestLogger } from './typeorm-logger.js';

/**
 * TypeORM options for the configured database. Migrations run through MigrationsService; the entities
 * are those the modules register (TypeOrmModule.forFeature, loaded by DatabaseModule).
 */
export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  const common = {
    migrations: MIGRATIONS,
    migrationsRun: false,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logging: ['error' as const],
    logger: new TypeOrmNestLogger(['error']),
  };
  if (config.database.type === 'postgres') {
    return { ...common, type: 'postgres', url: config.database.url, poolSize: config.database.poolSize, connectTimeoutMS: 1500 };
  }
  const path = config.database.path;
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    driver: sqliteDriver,
    database: path,
    // WAL lets the API, the CLI and other processes read while one writes; busy_timeout waits for a lock instead of failing.
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      db.pragma('synchronous = NORMAL');
    },
  };
}
