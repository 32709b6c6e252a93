import type { ObjectLiteral, Repository } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';

/**
 * Hand-written SQL for the few statements on the send and verify paths, where building each query
 * through TypeORM's query builder cost more CPU than the rest of the request's database work. Values
 * still go through TypeORM's own conversions for the entity's columns (transformers, simple-json,
 * booleans), taken from its metadata, so a row reads and writes exactly as through a repository.
 * The SQL is portable between PostgreSQL and SQLite: double-quoted identifiers, and `param(i)` for
 * the placeholder of each.
 */
export class RawTable<T extends ObjectLiteral> {
  readonly name: string;
  private readonly postgres: boolean;
  private readonly writable: ColumnMetadata[];
  private readonly insertHead: string;

  constructor(private readonly repository: Repository<T>) {
    const { metadata } = repository;
    this.name = quote(metadata.tableName);
    this.postgres = repository.manager.connection.driver.options.type === 'postgres';
    this.writable = metadata.columns.filter((column) => !column.isGenerated);
    this.insertHead = `INSERT INTO ${this.name} (${this.writable.map((column) => quote(column.databaseName)).join(', ')}) VALUES `;
  }

  /** The placeholder of the i-th (zero-based) parameter. */
  param(i: number): string {
    return this.postgres ? `$${i + 1}` : '?';
  }

  /**
   * The rows a statement answers (none for a plain INSERT). Through the query runner's structured
   * result, as the drivers answer an UPDATE ... RETURNING in different shapes otherwise.
   */
  async query<R>(sql: string, parameters: unknown[]): Promise<R[]> {
    const runner = this.repository.manager.connection.createQueryRunner();
    try {
      return ((await runner.query(sql, parameters, true)) as { records?: R[] }).records ?? [];
    } finally {
      await runner.release();
    }
  }

  /** An entity from a row of `SELECT <alias>.*`. */
  hydrate(row: Record<string, unknown>): T {
    const { metadata } = this.repository;
    const driver = this.repository.manager.connection.driver;
    const entity = metadata.create() as T;
    for (const column of metadata.columns) column.setEntityValue(entity, driver.prepareHydratedValue(row[column.databaseName], column));
    return entity;
  }

  /**
   * One UPDATE for many rows, each with its own values: `SET col = CASE id WHEN <id> THEN <value> ...`
   * for every property in `set` (the same properties for every row), plus the SQL of `also`, on the
   * rows whose primary key is listed and that match `where`. Answers the updated rows, hydrated,
   * by primary key. CASTs give the parameters their column's type alike on PostgreSQL and SQLite.
   */
  async updateEach(changes: { id: string; set: Partial<T> }[], options: { also?: string; where?: string } = {}): Promise<Map<string, T>> {
    const { metadata } = this.repository;
    const driver = this.repository.manager.connection.driver;
    const key = quote(metadata.primaryColumns[0]!.databaseName);
    const parameters: unknown[] = [];
    const param = (value: unknown) => {
      parameters.push(value);
      return this.param(parameters.length - 1);
    };
    const assignments = Object.keys(changes[0]?.set ?? {}).map((property) => {
      const column = metadata.findColumnWithPropertyName(property);
      if (!column) throw new Error(`${metadata.name} has no column ${property}`);
      const cases = changes.map(({ id, set }) => {
        const value = driver.preparePersistentValue(set[property as keyof T], column);
        return `WHEN ${param(id)} THEN CAST(${param(value)} AS ${castType(column)})`;
      });
      return `${quote(column.databaseName)} = CASE ${key} ${cases.join(' ')} END`;
    });
    if (options.also) assignments.push(options.also);
    const ids = changes.map(({ id }) => param(id)).join(', ');
    const rows = await this.query<Record<string, unknown>>(
      `UPDATE ${this.name} SET ${assignments.join(', ')} WHERE ${key} IN (${ids})${options.where ? ` AND ${options.where}` : ''} RETURNING *`,
      parameters,
    );
    return new Map(rows.map((row) => [row[metadata.primaryColumns[0]!.databaseName] as string, this.hydrate(row)]));
  }

  /** One multi-row INSERT of whole entities (generated columns are left to the database). */
  async insertMany(rows: T[]): Promise<void> {
    const { sql, parameters } = this.insertStatement(rows);
    await this.query(sql, parameters);
  }

  /** The SQL and parameters of insertMany, for a caller that runs it with others (runAtomically). */
  insertStatement(rows: T[]): { sql: string; parameters: unknown[] } {
    const driver = this.repository.manager.connection.driver;
    const parameters: unknown[] = [];
    const tuples = rows.map((row) => {
      const placeholders = this.writable.map((column) => {
        parameters.push(driver.preparePersistentValue(column.getEntityValue(row), column));
        return this.param(parameters.length - 1);
      });
      return `(${placeholders.join(', ')})`;
    });
    return { sql: this.insertHead + tuples.join(', '), parameters };
  }
}

/** The SQL type a parameter is cast to for a column: both databases take these names. */
function castType(column: ColumnMetadata): string {
  const type = typeof column.type === 'string' ? column.type : 'varchar';
  if (type === 'varchar') return column.length ? `VARCHAR(${column.length})` : 'VARCHAR';
  if (type === 'simple-json') return 'TEXT';
  return type.toUpperCase();
}

function quote(identifier: string): string {
  return `"${identifier}"`;
}
