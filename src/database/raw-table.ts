import type { EntityMetadata, ObjectLiteral, Repository } from 'typeorm';
import type { Statement } from './atomic.js';

type Column = EntityMetadata['columns'][number];

/** Equality conditions by property: a value, null for IS NULL, or a list for IN (...). */
export type Where<T> = { [K in keyof T]?: T[K] | readonly T[K][] };

/**
 * Hand-written SQL for the statements on the send and verify paths, where building each query
 * through TypeORM's query builder cost more CPU than the rest of the request's database work. Values
 * still go through TypeORM's own conversions for the entity's columns (transformers, simple-json,
 * booleans), taken from its public metadata, so a row reads and writes exactly as through a
 * repository. Callers name properties, never SQL: every column name and placeholder is made here.
 * The SQL is portable between PostgreSQL and SQLite: double-quoted identifiers, and `param(i)` for
 * the placeholder of each.
 */
export class RawTable<T extends ObjectLiteral> {
  readonly name: string;
  private readonly metadata: EntityMetadata;
  private readonly postgres: boolean;
  private readonly writable: Column[];
  private readonly insertHead: string;

  constructor(private readonly repository: Repository<T>) {
    this.metadata = repository.metadata;
    this.name = quote(this.metadata.tableName);
    this.postgres = repository.manager.connection.driver.options.type === 'postgres';
    this.writable = this.metadata.columns.filter((column) => !column.isGenerated);
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
    return (await this.execute<R>(sql, parameters)).records ?? [];
  }

  /** Runs one statement on its own; answers the number of rows it changed. */
  async run({ sql, parameters }: Statement): Promise<number> {
    return (await this.execute(sql, parameters)).affected ?? 0;
  }

  /** An entity from a row of `SELECT <alias>.*`. */
  hydrate(row: Record<string, unknown>): T {
    const driver = this.repository.manager.connection.driver;
    const entity = this.metadata.create() as T;
    for (const column of this.metadata.columns) column.setEntityValue(entity, driver.prepareHydratedValue(row[column.databaseName], column));
    return entity;
  }

  /**
   * One UPDATE for many rows, each with its own values: `SET col = CASE id WHEN <id> THEN <value> ...`
   * for every property in `set` (the same properties for every row), plus the values of `also` for
   * every row, on the rows whose primary key is listed and that match `where`. Answers the updated
   * rows, hydrated, by primary key. CASTs give the parameters their column's type alike on
   * PostgreSQL and SQLite.
   */
  async updateEach(changes: { id: string; set: Partial<T> }[], options: { also?: Partial<T>; where?: Where<T> } = {}): Promise<Map<string, T>> {
    const key = this.metadata.primaryColumns[0]!;
    const parameters: unknown[] = [];
    const param = this.binder(parameters);
    const assignments = Object.keys(changes[0]?.set ?? {}).map((property) => {
      const column = this.columnOf(property);
      const cases = changes.map(({ id, set }) => `WHEN ${param(id)} THEN ${this.cast(param(this.persistent(column, set[property])), column)}`);
      return `${quote(column.databaseName)} = CASE ${quote(key.databaseName)} ${cases.join(' ')} END`;
    });
    assignments.push(...this.assignments(options.also ?? {}, param));
    const ids = changes.map(({ id }) => param(id)).join(', ');
    const conditions = [`${quote(key.databaseName)} IN (${ids})`, ...this.conditions(options.where ?? {}, param)];
    const rows = await this.query<Record<string, unknown>>(
      `UPDATE ${this.name} SET ${assignments.join(', ')} WHERE ${conditions.join(' AND ')} RETURNING *`,
      parameters,
    );
    return new Map(rows.map((row) => [row[key.databaseName] as string, this.hydrate(row)]));
  }

  /** One multi-row INSERT of whole entities (generated columns are left to the database). */
  async insertMany(rows: T[]): Promise<void> {
    const { sql, parameters } = this.insertStatement(rows);
    await this.query(sql, parameters);
  }

  /**
   * One multi-row INSERT of whole entities that, for a row whose primary key exists, sets the
   * properties in `update` to the new row's values instead, when the existing row matches `where`
   * (`ON CONFLICT ... DO UPDATE ... WHERE`, which PostgreSQL and SQLite both take). Answers the rows
   * inserted or updated, hydrated, by primary key; a row left alone by `where` is not in it. A
   * primary key may appear once per call (PostgreSQL refuses to update a row twice in one statement).
   */
  async upsertEach(rows: T[], options: { update: (keyof T & string)[]; where?: Where<T> }): Promise<Map<string, T>> {
    const key = this.metadata.primaryColumns[0]!;
    const { sql, parameters } = this.insertStatement(rows);
    const param = this.binder(parameters);
    const assignments = options.update.map((property) => {
      const name = quote(this.columnOf(property).databaseName);
      return `${name} = excluded.${name}`;
    });
    const conditions = this.conditions(options.where ?? {}, param, this.name);
    const upsert = `${sql} ON CONFLICT (${quote(key.databaseName)}) DO UPDATE SET ${assignments.join(', ')}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''} RETURNING *`;
    const written = await this.query<Record<string, unknown>>(upsert, parameters);
    return new Map(written.map((row) => [row[key.databaseName] as string, this.hydrate(row)]));
  }

  /** The statement of insertMany, for a caller that runs it with others (runAtomically). */
  insertStatement(rows: T[]): Statement {
    const parameters: unknown[] = [];
    const param = this.binder(parameters);
    const tuples = rows.map((row) => `(${this.writable.map((column) => param(this.persistent(column, column.getEntityValue(row)))).join(', ')})`);
    return { sql: this.insertHead + tuples.join(', '), parameters };
  }

  /**
   * `UPDATE ... SET <set> WHERE <where>`; `mustChange`: see Statement. With nothing to set, the key
   * is set to itself, so that the statement still tells whether the row exists.
   */
  updateStatement(where: Where<T>, set: Partial<T>, mustChange = false): Statement {
    const parameters: unknown[] = [];
    const param = this.binder(parameters);
    const assignments = this.assignments(set, param);
    if (!assignments.length) assignments.push(this.metadata.primaryColumns.map((column) => `${quote(column.databaseName)} = ${quote(column.databaseName)}`).join(', '));
    return { sql: `UPDATE ${this.name} SET ${assignments.join(', ')}${this.whereClause(where, param)}`, parameters, mustChange };
  }

  /** `DELETE ... WHERE <where>`; `mustChange`: see Statement. */
  deleteStatement(where: Where<T>, mustChange = false): Statement {
    const parameters: unknown[] = [];
    return { sql: `DELETE FROM ${this.name}${this.whereClause(where, this.binder(parameters))}`, parameters, mustChange };
  }

  private async execute<R>(sql: string, parameters: unknown[]): Promise<{ records?: R[]; affected?: number }> {
    const runner = this.repository.manager.connection.createQueryRunner();
    try {
      return (await runner.query(sql, parameters, true)) as { records?: R[]; affected?: number };
    } finally {
      await runner.release();
    }
  }

  private binder(parameters: unknown[]): (value: unknown) => string {
    return (value) => {
      parameters.push(value);
      return this.param(parameters.length - 1);
    };
  }

  private assignments(set: Partial<T>, param: (value: unknown) => string): string[] {
    // Properties set to undefined are left alone, as TypeORM's update leaves them.
    return Object.entries(set)
      .filter(([, value]) => value !== undefined)
      .map(([property, value]) => {
        const column = this.columnOf(property);
        return `${quote(column.databaseName)} = ${this.cast(param(this.persistent(column, value)), column)}`;
      });
  }

  /** `table`: qualifies the columns, where another row (an upsert's `excluded`) is in scope too. */
  private conditions(where: Where<T>, param: (value: unknown) => string, table?: string): string[] {
    return Object.entries(where).map(([property, value]) => {
      const column = this.columnOf(property);
      const name = table ? `${table}.${quote(column.databaseName)}` : quote(column.databaseName);
      if (value === null) return `${name} IS NULL`;
      if (Array.isArray(value)) return `${name} IN (${value.map((v: unknown) => param(this.persistent(column, v))).join(', ')})`;
      return `${name} = ${param(this.persistent(column, value))}`;
    });
  }

  private whereClause(where: Where<T>, param: (value: unknown) => string): string {
    const conditions = this.conditions(where, param);
    return conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
  }

  private persistent(column: Column, value: unknown): unknown {
    return this.repository.manager.connection.driver.preparePersistentValue(value, column);
  }

  private cast(placeholder: string, column: Column): string {
    return `CAST(${placeholder} AS ${castType(column)})`;
  }

  private columnOf(property: string): Column {
    const column = this.metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`${this.metadata.name} has no column ${property}`);
    return column;
  }
}

/** The SQL type a parameter is cast to for a column: both databases take these names. */
function castType(column: Column): string {
  const type = typeof column.type === 'string' ? column.type : 'varchar';
  if (type === 'varchar') return column.length ? `VARCHAR(${column.length})` : 'VARCHAR';
  if (type === 'simple-json') return 'TEXT';
  return type.toUpperCase();
}

function quote(identifier: string): string {
  return `"${identifier}"`;
}
