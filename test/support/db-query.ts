import Database from 'better-sqlite3-13';
import pg from 'pg';
import type { Stack } from './stack.js';

/** Runs one read-only SQL query against the stack's database (SQLite or PostgreSQL); `$1`-style parameters. */
export async function queryDatabase<T = Record<string, unknown>>(stack: Stack, sql: string, params: unknown[] = []): Promise<T[]> {
  const url = stack.env.DATABASE_URL!;
  if (url.startsWith('sqlite:')) {
    const db = new Database(url.slice('sqlite:'.length), { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql.replace(/\$\d+/g, '?')).all(...params) as T[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
