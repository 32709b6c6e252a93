import type BetterSqlite3 from 'better-sqlite3';
import { type DataSource, QueryFailedError } from 'typeorm';

export interface Statement {
  sql: string;
  parameters: unknown[];
  /** The statement must change a row: when it changes none, everything is rolled back (NothingChanged). */
  mustChange?: boolean;
}

/** A statement marked `mustChange` changed no row, so the transaction was rolled back. */
export class NothingChanged extends Error {
  constructor(readonly statement: Statement) {
    super('A statement that must change a row changed none');
  }
}

/**
 * Runs statements as one transaction. PostgreSQL: on a pooled connection of its own. SQLite: every
 * request shares the one connection, so a transaction awaited statement by statement would take in
 * whatever other requests write in between (and lose it on a rollback); here it runs synchronously,
 * through better-sqlite3's own transaction, so nothing can come between its statements. A failed
 * statement throws QueryFailedError on both, as TypeORM's queries do.
 */
export async function runAtomically(dataSource: DataSource, statements: Statement[]): Promise<void> {
  if (dataSource.driver.options.type === 'postgres') {
    await dataSource.transaction(async (manager) => {
      for (const statement of statements) {
        const { affected } = (await manager.queryRunner!.query(statement.sql, statement.parameters, true)) as { affected?: number };
        if (statement.mustChange && !affected) throw new NothingChanged(statement);
      }
    });
    return;
  }
  const db = (dataSource.driver as unknown as { databaseConnection: BetterSqlite3.Database }).databaseConnection;
  let current: Statement | undefined;
  try {
    db.transaction(() => {
      for (const statement of statements) {
        current = statement;
        const { changes } = db.prepare(statement.sql).run(...statement.parameters);
        if (statement.mustChange && !changes) throw new NothingChanged(statement);
      }
    })();
  } catch (error) {
    if (error instanceof NothingChanged) throw error;
    throw new QueryFailedError(current?.sql ?? '', current?.parameters, error as Error);
  }
}
