// better-sqlite3 13 is installed under an alias (see src/database/sqlite-driver.ts); its API and so
// its types are those of @types/better-sqlite3.
declare module 'better-sqlite3-13' {
  import Database from 'better-sqlite3';
  export default Database;
}
