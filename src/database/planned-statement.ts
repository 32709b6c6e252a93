import type { DataSource, QueryRunner } from 'typeorm';

/** The part of node-postgres's client that a named statement needs. */
interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
}

interface Held {
  runner: QueryRunner;
  client: PgClient;
}

/** PostgreSQL's answer when a prepared statement's result columns changed under it (a migration added one). */
const RESULT_TYPE_CHANGED = '0A000';

/**
 * A PostgreSQL read that every send and verify makes, planned once per process instead of once per
 * execution. PostgreSQL plans an ordinary parameterised statement afresh each time it runs, and for
 * the user lookup's three-table join that planning was 0.35 of the 0.45 ms of backend CPU the
 * statement cost. Here the statement is prepared by name on one pooled connection held for it alone,
 * whose `plan_cache_mode = force_generic_plan` makes PostgreSQL keep one plan for it: 0.09–0.11 ms a
 * statement of 1 to 5 keys. So the text must be one whose plan is good whatever its values, such as
 * index lookups driven by `unnest` of array parameters; and the setting, being per session, touches
 * no other statement. The connection is taken from the pool at the first call (so the pool needs
 * room for it: DATABASE_POOL_SIZE is at least 2) and held until the DataSource is destroyed. After
 * any error it is closed rather than given back, so that its setting never reaches another statement,
 * and the next call takes a fresh one.
 */
export class PlannedStatement<R> {
  private held?: Promise<Held>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly name: string,
    private readonly sql: string,
  ) {}

  async query(parameters: unknown[]): Promise<R[]> {
    try {
      return await this.run(parameters);
    } catch (error) {
      // Prepared before a migration changed the result's columns: once more, prepared afresh.
      if ((error as { code?: string }).code !== RESULT_TYPE_CHANGED) throw error;
      return this.run(parameters);
    }
  }

  private async run(parameters: unknown[]): Promise<R[]> {
    let held = (this.held ??= this.hold());
    try {
      let { runner, client } = await held;
      if (runner.isReleased) {
        // TypeORM gave the connection back when it failed (the server went away): take a new one.
        this.forget(held);
        held = this.held ??= this.hold();
        ({ runner, client } = await held);
      }
      return (await client.query({ name: this.name, text: this.sql, values: parameters })).rows as R[];
    } catch (error) {
      this.forget(held);
      await held.then(close, () => undefined);
      throw error;
    }
  }

  private forget(held: Promise<Held>): void {
    if (this.held === held) this.held = undefined;
  }

  private async hold(): Promise<Held> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PgClient;
    try {
      await runner.query('SET plan_cache_mode = force_generic_plan');
    } catch (error) {
      await close({ runner, client });
      throw error;
    }
    return { runner, client };
  }
}

/** Ends the connection, then releases it: the pool drops a client that is ending instead of reusing it. */
async function close({ runner, client }: Held): Promise<void> {
  await client.end().catch(() => undefined);
  await runner.release();
}
