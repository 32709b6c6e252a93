import BetterSqlite3 from 'better-sqlite3-13';

/**
 * The SQLite driver handed to TypeORM. better-sqlite3 12 aborts Node 24 during garbage collection
 * (its Statement destructor removes an environment cleanup hook through the raw node::ObjectWrap:
 * "Assertion failed: (env) != nullptr"); 13 is built on Node-API and ships prebuilt binaries.
 * TypeORM 1.1 still declares an optional peer of ^12, so 13 is installed as `better-sqlite3-13` and
 * passed as TypeORM's `driver`, which leaves that peer uninstalled instead of overridden.
 */
export const sqliteDriver = BetterSqlite3;
