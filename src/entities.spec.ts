import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DataSource } from 'typeorm';
import { createPostgresDatabase } from '../test/support/stack.js';
import { MIGRATIONS } from './database/migrations/index.js';
import { sqliteDriver } from './database/sqlite-driver.js';
import { ENTITIES } from './entities.js';

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

it('lists the entity of every *.entity.ts', async () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const files = readdirSync(here, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.entity.js'));
  assert.ok(files.length >= ENTITIES.length);
  for (const file of files) {
    const exported = Object.values((await import(pathToFileURL(join(here, file)).href)) as Record<string, unknown>);
    assert.ok(exported.some((value) => (ENTITIES as unknown[]).includes(value)), `${file}: its entity is missing from src/entities.ts`);
  }
});

for (const kind of ['sqlite', 'postgres'] as const) {
  it(`the migrations make, on ${kind}, every table and column the entities map`, async () => {
    const options = { entities: ENTITIES, migrations: MIGRATIONS, migrationsTransactionMode: 'each' as const };
    const dataSource =
      kind === 'sqlite'
        ? new DataSource({ ...options, type: 'better-sqlite3', driver: sqliteDriver, database: ':memory:' })
        : new DataSource({ ...options, type: 'postgres', url: await createPostgresDatabase(cleanups) });
    await dataSource.initialize();
    cleanups.push(() => dataSource.destroy());
    await dataSource.runMigrations();
    const runner = dataSource.createQueryRunner();
    const missing: string[] = [];
    for (const entity of dataSource.entityMetadatas) {
      const table = await runner.getTable(entity.tableName);
      for (const column of entity.columns) {
        const found = table?.findColumnByName(column.databaseName);
        if (!found) missing.push(`${entity.tableName}.${column.databaseName}`);
        else if (found.isNullable !== column.isNullable) missing.push(`${entity.tableName}.${column.databaseName} ${column.isNullable ? 'nullable' : 'not null'}`);
      }
    }
    await runner.release();
    assert.deepEqual(missing, []);
  });
}
