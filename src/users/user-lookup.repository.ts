import type { DataSource } from 'typeorm';
import { Batcher } from '../database/batcher.js';
import { PlannedStatement } from '../database/planned-statement.js';
import type { RawTable } from '../database/raw-table.js';
import type { LoginIdEntity } from './login-id.entity.js';
import type { UserEntity } from './user.entity.js';
import { toUser } from './users.mapper.js';
import type { UserRecord } from './users.types.js';

type LookupRow = Record<string, unknown> & { id: string; other_login_id: string };

interface LoginIdKey {
  projectId: string;
  /** Normalized. */
  loginId: string;
}

/**
 * The read of every send and verify: a user by one of its login IDs, with all of them. Concurrent
 * lookups share one query (Batcher); on PostgreSQL that query is planned once (PlannedStatement)
 * unless `planOnce` is off (DATABASE_PREPARED_STATEMENTS=false, for poolers that cannot keep named
 * statements), while SQLite's driver already keeps its statements prepared.
 */
export class UserLookup {
  private readonly planned?: PlannedStatement<LookupRow>;
  private readonly lookups = new Batcher<LoginIdKey, UserRecord | null>((keys) => this.findManyByLoginId(keys));

  constructor(
    private readonly users: RawTable<UserEntity>,
    private readonly loginIds: RawTable<LoginIdEntity>,
    dataSource: DataSource,
    planOnce: boolean,
  ) {
    if (planOnce) {
      const keys = `SELECT l."user_id" FROM unnest($1::varchar[], $2::varchar[]) AS k("project_id", "login_id") JOIN ${loginIds.name} l USING ("project_id", "login_id")`;
      this.planned = new PlannedStatement(dataSource, 'users_by_login_id', this.lookupSql(keys));
    }
  }

  /** The user of a normalized login ID with all of the user's login IDs in order, or null. */
  find(projectId: string, loginId: string): Promise<UserRecord | null> {
    return this.lookups.add({ projectId, loginId });
  }

  /**
   * One query for a batch of login IDs. The user IDs come from a subquery on the login_ids primary
   * key and the login IDs are joined on the (globally unique) user ID alone, so that every step is a
   * primary-key or user-ID index lookup whatever the planner's statistics say: a plain three-way join
   * filtered by project was planned as a scan of all the project's users on a freshly loaded table.
   * On PostgreSQL the keys come as two arrays, so that the text never changes and one plan serves
   * every batch (PlannedStatement); on SQLite as one condition per key.
   */
  private async findManyByLoginId(keys: LoginIdKey[]): Promise<(UserRecord | null)[]> {
    const users = this.users;
    const rows = this.planned
      ? await this.planned.query([keys.map((key) => key.projectId), keys.map((key) => key.loginId)])
      : await users.query<LookupRow>(this.lookupSql(this.keyConditions(keys)), keys.flatMap(({ projectId, loginId }) => [projectId, loginId]));
    const found = new Map<string, { row: Record<string, unknown>; loginIds: string[] }>();
    for (const row of rows) {
      const entry = found.get(row.id);
      if (entry) entry.loginIds.push(row.other_login_id);
      else found.set(row.id, { row, loginIds: [row.other_login_id] });
    }
    const matched = [...found.values()].map(({ row, loginIds }) => ({ user: toUser(users.hydrate(row)), loginIds }));
    return keys.map(({ projectId, loginId }) => {
      const record = matched.find(({ user, loginIds }) => user.projectId === projectId && loginIds.includes(loginId));
      return record ? { user: record.user, loginIds: [...record.loginIds] } : null;
    });
  }

  /** Every user whose login IDs `userIds` (a subquery) names, with each of its login IDs, in order. */
  private lookupSql(userIds: string): string {
    return (
      `SELECT u.*, o."login_id" AS "other_login_id" FROM ${this.users.name} u JOIN ${this.loginIds.name} o ON o."user_id" = u."id" ` +
      `WHERE u."id" IN (${userIds}) ORDER BY o."position"`
    );
  }

  private keyConditions(keys: LoginIdKey[]): string {
    const param = (i: number) => this.users.param(i);
    const matches = keys.map((_, i) => `(l."project_id" = ${param(2 * i)} AND l."login_id" = ${param(2 * i + 1)})`);
    return `SELECT l."user_id" FROM ${this.loginIds.name} l WHERE ${matches.join(' OR ')}`;
  }
}
