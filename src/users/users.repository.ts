import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, QueryFailedError, Repository } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { NothingChanged, runAtomically, type Statement } from '../database/atomic.js';
import { batchedWriter } from '../database/batcher.js';
import { RawTable } from '../database/raw-table.js';
import { LoginIdEntity } from './login-id.entity.js';
import { UserEntity } from './user.entity.js';
import { UserLookup } from './user-lookup.repository.js';
import { toUser } from './users.mapper.js';
import type { AddressKind, User, UserAttributes, UserRecord, UserSearch } from './users.types.js';
import { normalizeLoginId } from './users.types.js';

/** A write failed on the login_ids primary key: one of the login IDs is another user's. */
export class LoginIdTaken extends Error {}

/** A write found no user to change: it was deleted meanwhile. Nothing was written. */
export class UserGone extends Error {}

export interface LoginIdLink {
  loginId: string;
  position: number;
}

export interface SignInWrite {
  userId: string;
  kind: AddressKind;
  address: string;
  at: number;
}

/**
 * Every query of `users` and `login_ids`. Every write is a RawTable statement: the sign-ins batched,
 * the rest through runAtomically, which is one transaction on PostgreSQL and one synchronous
 * transaction on SQLite's shared connection.
 */
@Injectable()
export class UsersRepository {
  private readonly usersTable: RawTable<UserEntity>;
  private readonly loginIdsTable: RawTable<LoginIdEntity>;
  private readonly lookup: UserLookup;
  /**
   * Every verify writes its sign-in; concurrent ones share one UPDATE per kind of address. A batch
   * that fails (say, a deadlock with another process's batch) is retried row by row.
   */
  readonly recordSignIn = batchedWriter<SignInWrite>(async (writes) => {
    const groups = (['email', 'phone'] as const).map((kind) => writes.filter((write) => write.kind === kind).map(signInChange));
    await Promise.all(groups.filter((group) => group.length).map((group) => this.usersTable.updateEach(group)));
  });

  /**
   * Users inserted at once (the sign-ups that verify together) share one transaction of two
   * multi-row INSERTs. A batch that fails is retried user by user, each in its own transaction, so
   * that only a user whose login ID is taken (by another user, or by another sign-up of the same
   * batch) fails, and leaves nothing behind.
   */
  private readonly inserts = batchedWriter<{ user: User; loginIds: string[] }>((items) =>
    runAtomically(this.dataSource, [
      this.usersTable.insertStatement(items.map(({ user }) => this.users.create(user))),
      this.loginIdsTable.insertStatement(
        items.flatMap(({ user, loginIds }) => loginIds.map((loginId, position) => this.loginIds.create({ projectId: user.projectId, loginId, userId: user.id, position }))),
      ),
    ]),
  );

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(LoginIdEntity) private readonly loginIds: Repository<LoginIdEntity>,
    private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    this.usersTable = new RawTable(users);
    this.loginIdsTable = new RawTable(loginIds);
    this.lookup = new UserLookup(this.usersTable, this.loginIdsTable, dataSource, config.database.type === 'postgres' && config.database.preparedStatements);
  }

  /** The user of a normalized login ID with all of the user's login IDs in order, or null. */
  findByLoginId(projectId: string, loginId: string): Promise<UserRecord | null> {
    return this.lookup.find(projectId, loginId);
  }

  async findById(projectId: string, userId: string): Promise<UserRecord | null> {
    const user = await this.users.findOneBy({ id: userId, projectId });
    if (!user) return null;
    return { user: toUser(user), loginIds: (await this.links(projectId, userId)).map((link) => link.loginId) };
  }

  /** The user's login IDs with their positions, in order. */
  async links(projectId: string, userId: string): Promise<LoginIdLink[]> {
    const rows = await this.loginIds.find({ where: { projectId, userId }, order: { position: 'ASC' } });
    return rows.map(({ loginId, position }) => ({ loginId, position }));
  }

  /** The user whose login ID this (normalized) one is, or null. */
  async ownerOf(projectId: string, loginId: string): Promise<string | null> {
    return (await this.loginIds.findOneBy({ projectId, loginId }))?.userId ?? null;
  }

  async loginIdsOf(projectId: string, userIds: string[]): Promise<Map<string, string[]>> {
    const rows = await this.loginIds.find({ where: { projectId, userId: In(userIds) }, order: { position: 'ASC' } });
    const map = new Map<string, string[]>();
    for (const row of rows) map.set(row.userId, [...(map.get(row.userId) ?? []), row.loginId]);
    return map;
  }

  /** Inserts a user with its (normalized, unique) login IDs in order; LoginIdTaken when one is taken. */
  async insert(user: User, loginIds: string[]): Promise<void> {
    await this.atomically(() => this.inserts({ user, loginIds }));
  }

  /**
   * Sets attributes and, when `loginIds` is given, replaces the user's login IDs with them; LoginIdTaken
   * when one is another user's, UserGone when the user no longer exists.
   */
  async update(projectId: string, userId: string, changes: Partial<UserAttributes>, loginIds?: string[]): Promise<void> {
    const statements = [this.usersTable.updateStatement({ id: userId, projectId }, changes, true)];
    if (loginIds) {
      statements.push(this.loginIdsTable.deleteStatement({ projectId, userId }));
      statements.push(this.loginIdsTable.insertStatement(loginIds.map((loginId, position) => this.loginIds.create({ projectId, loginId, userId, position }))));
    }
    await this.atomically(statements);
  }

  /**
   * An address change that keeps the user: sets the (verified) address, and removes and adds login
   * IDs; LoginIdTaken or UserGone as update.
   */
  async changeAddress(projectId: string, userId: string, address: Partial<User>, remove: string | undefined, add: LoginIdLink | undefined): Promise<void> {
    const statements = [this.usersTable.updateStatement({ id: userId, projectId }, address, true)];
    if (remove) statements.push(this.loginIdsTable.deleteStatement({ projectId, loginId: remove }));
    if (add) statements.push(this.loginIdsTable.insertStatement([this.loginIds.create({ projectId, userId, ...add })]));
    await this.atomically(statements);
  }

  /**
   * Moves every login ID of `from` to `into`, after its own, gives `into` the (verified) address and
   * deletes `from`; UserGone when either no longer exists.
   */
  async merge(projectId: string, from: string, into: string, address: Partial<User>): Promise<void> {
    const moving = await this.links(projectId, from);
    const last = (await this.links(projectId, into)).at(-1)?.position ?? 0;
    await this.atomically([
      ...moving.map(({ loginId }, i) => this.loginIdsTable.updateStatement({ projectId, loginId, userId: from }, { userId: into, position: last + 1 + i }, true)),
      this.usersTable.updateStatement({ id: into, projectId }, address, true),
      this.usersTable.deleteStatement({ id: from, projectId }, true),
    ]);
  }

  async delete(projectId: string, userId: string): Promise<void> {
    // Login IDs first: a reader never finds a login ID whose user is gone.
    await this.atomically([this.loginIdsTable.deleteStatement({ projectId, userId }), this.usersTable.deleteStatement({ projectId, id: userId })]);
  }

  /** One page of the project's users matching every given filter, oldest first, and the number of matches. */
  async search(projectId: string, filter: UserSearch): Promise<{ records: UserRecord[]; total: number }> {
    const query = this.users.createQueryBuilder('u').where('u.projectId = :projectId', { projectId });
    // Boolean literals rather than parameters: SQLite stores booleans as 0/1 and binds no booleans.
    if (filter.testUsersOnly) query.andWhere('u.test = TRUE');
    else if (!filter.withTestUser) query.andWhere('u.test = FALSE');
    if (filter.statuses?.length) query.andWhere('u.status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.userIds?.length) query.andWhere('u.id IN (:...userIds)', { userIds: filter.userIds });
    if (filter.emails?.length) query.andWhere('LOWER(u.email) IN (:...emails)', { emails: filter.emails.map((e) => e.trim().toLowerCase()) });
    if (filter.phones?.length) query.andWhere('u.phone IN (:...phones)', { phones: filter.phones.map((p) => p.trim()) });
    if (filter.loginIds?.length) {
      query.andWhere(`EXISTS (SELECT 1 FROM login_ids l WHERE l.project_id = u.projectId AND l.user_id = u.id AND l.login_id IN (:...loginIds))`, {
        loginIds: filter.loginIds.map(normalizeLoginId),
      });
    }
    if (filter.text?.trim()) {
      const like = `%${filter.text.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const match = (column: string) => `LOWER(${column}) LIKE :like ESCAPE '\\'`;
      query.andWhere(
        `(${['u.name', 'u.givenName', 'u.familyName', 'u.email', 'u.phone'].map(match).join(' OR ')} OR ` +
          `EXISTS (SELECT 1 FROM login_ids l WHERE l.project_id = u.projectId AND l.user_id = u.id AND ${match('l.login_id')}))`,
        { like },
      );
    }
    const total = await query.getCount();
    const users = await query
      .orderBy('u.createdAt', 'ASC')
      .addOrderBy('u.id', 'ASC')
      .offset(filter.page * filter.limit)
      .limit(filter.limit)
      .getMany();
    const loginIds = users.length ? await this.loginIdsOf(projectId, users.map((u) => u.id)) : new Map<string, string[]>();
    return { records: users.map((user) => ({ user: toUser(user), loginIds: loginIds.get(user.id) ?? [] })), total };
  }

  /** runAtomically (or a write that runs it), with the failures a caller can act on as LoginIdTaken and UserGone. */
  private async atomically(write: Statement[] | (() => Promise<void>)): Promise<void> {
    try {
      await (Array.isArray(write) ? runAtomically(this.dataSource, write) : write());
    } catch (error) {
      if (error instanceof NothingChanged) throw new UserGone();
      if (isUniqueViolation(error)) throw new LoginIdTaken();
      throw error;
    }
  }
}

function signInChange({ userId, kind, address, at }: SignInWrite): { id: string; set: Partial<UserEntity> } {
  return { id: userId, set: kind === 'email' ? { lastLoginAt: at, email: address, verifiedEmail: true } : { lastLoginAt: at, phone: address, verifiedPhone: true } };
}

function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driver = (error as QueryFailedError & { driverError?: { code?: string } }).driverError;
  return driver?.code === '23505' || /^SQLITE_CONSTRAINT_(PRIMARYKEY|UNIQUE)$/.test(driver?.code ?? '');
}
