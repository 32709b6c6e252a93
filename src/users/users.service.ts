import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In, QueryFailedError, Repository } from 'typeorm';
import { newId } from '../common/crypto/random.js';
import { DomainError } from '../common/errors/domain-error.js';
import { Batcher, batchedWriter } from '../database/batcher.js';
import { runAtomically } from '../database/atomic.js';
import { RawTable } from '../database/raw-table.js';
import type { UserResponseDto } from './dto/user-response.dto.js';
import { LoginIdEntity } from './login-id.entity.js';
import { UserEntity, type UserStatus } from './user.entity.js';

export interface UserProfile {
  name?: string;
  givenName?: string;
  middleName?: string;
  familyName?: string;
  email?: string;
  phone?: string;
}

export interface UserRecord {
  user: UserEntity;
  loginIds: string[];
}

export type AddressKind = 'email' | 'phone';

interface SignInChange {
  id: string;
  set: Partial<UserEntity>;
}

interface LoginIdKey {
  projectId: string;
  /** Normalized. */
  loginId: string;
}

export interface AddressChange {
  /** Make the new address an extra login ID instead of replacing the old address's login ID. */
  addToLoginIds?: boolean;
  /** When the new address is another user's login ID, merge into that user (see changeAddress). */
  mergeIntoExisting?: boolean;
}

export interface AddressChangeResult {
  /** The user who now holds the address: the same user, or the existing user merged into. */
  record: UserRecord;
  /** The address the user had before, to tell them about the change. */
  previous: string | null;
  merged: boolean;
}

/** Everything about a user that the management API sets, apart from login IDs. */
export type UserAttributes = Pick<
  UserEntity,
  | 'name'
  | 'givenName'
  | 'middleName'
  | 'familyName'
  | 'email'
  | 'phone'
  | 'verifiedEmail'
  | 'verifiedPhone'
  | 'status'
  | 'roleNames'
  | 'userTenants'
  | 'customAttributes'
  | 'picture'
  | 'test'
>;

export interface UserSearch {
  /** Zero-based. */
  page: number;
  limit: number;
  /** Case-insensitive substring of a name, e-mail, phone or login ID. */
  text?: string;
  emails?: string[];
  phones?: string[];
  statuses?: UserStatus[];
  loginIds?: string[];
  userIds?: string[];
  withTestUser?: boolean;
  testUsersOnly?: boolean;
}

/** Login IDs are trimmed and compared case-insensitively, as e-mail addresses are. */
export function normalizeLoginId(loginId: string): string {
  return loginId.trim().toLowerCase();
}

@Injectable()
export class UsersService {
  private readonly usersTable: RawTable<UserEntity>;
  private readonly loginIdsTable: RawTable<LoginIdEntity>;
  /**
   * Every verify writes its sign-in; concurrent ones share one UPDATE per kind of address. A batch
   * that fails (say, a deadlock with another process's batch) is retried row by row.
   */
  private readonly recordSignIn = batchedWriter<SignInChange>(async (changes) => {
    const email = changes.filter((change) => 'email' in change.set);
    const phone = changes.filter((change) => !('email' in change.set));
    await Promise.all([email, phone].filter((group) => group.length).map((group) => this.usersTable.updateEach(group)));
  });
  private readonly lookups = new Batcher<LoginIdKey, UserRecord | null>((keys) => this.findManyByLoginId(keys));

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(LoginIdEntity) private readonly loginIds: Repository<LoginIdEntity>,
    private readonly dataSource: DataSource,
  ) {
    this.usersTable = new RawTable(users);
    this.loginIdsTable = new RawTable(loginIds);
  }

  /**
   * The user of a login ID with all of the user's login IDs in order, or null. It runs on every send
   * and verify, so concurrent lookups share one query (see Batcher).
   */
  findByLoginId(projectId: string, loginId: string): Promise<UserRecord | null> {
    return this.lookups.add({ projectId, loginId: normalizeLoginId(loginId) });
  }

  /**
   * One query for a batch of login IDs. The user IDs come from a subquery on the login_ids primary
   * key and the login IDs are joined on the (globally unique) user ID alone, so that every step is a
   * primary-key or user-ID index lookup whatever the planner's statistics say: a plain three-way join
   * filtered by project was planned as a scan of all the project's users on a freshly loaded table.
   */
  private async findManyByLoginId(keys: LoginIdKey[]): Promise<(UserRecord | null)[]> {
    const users = this.usersTable;
    const parameters: string[] = [];
    const matches = keys.map(({ projectId, loginId }) => {
      parameters.push(projectId, loginId);
      return `(l."project_id" = ${users.param(parameters.length - 2)} AND l."login_id" = ${users.param(parameters.length - 1)})`;
    });
    const rows = await users.query<Record<string, unknown> & { id: string; other_login_id: string }>(
      `SELECT u.*, o."login_id" AS "other_login_id" FROM ${users.name} u JOIN "login_ids" o ON o."user_id" = u."id" ` +
        `WHERE u."id" IN (SELECT l."user_id" FROM "login_ids" l WHERE ${matches.join(' OR ')}) ORDER BY o."position"`,
      parameters,
    );
    const found = new Map<string, { row: Record<string, unknown>; loginIds: string[] }>();
    for (const row of rows) {
      const entry = found.get(row.id);
      if (entry) entry.loginIds.push(row.other_login_id);
      else found.set(row.id, { row, loginIds: [row.other_login_id] });
    }
    const matched = [...found.values()];
    return keys.map(({ projectId, loginId }) => {
      const entry = matched.find(({ row, loginIds }) => row.project_id === projectId && loginIds.includes(loginId));
      // Hydrated per caller: flows update their record in place, and two requests may share a user.
      return entry ? { user: users.hydrate(entry.row), loginIds: [...entry.loginIds] } : null;
    });
  }

  async findById(projectId: string, userId: string): Promise<UserRecord | null> {
    const user = await this.users.findOneBy({ id: userId, projectId });
    if (!user) return null;
    const links = await this.loginIds.find({ where: { projectId, userId }, order: { position: 'ASC' } });
    return { user, loginIds: links.map((l) => l.loginId) };
  }

  /**
   * Creates the user of a verified sign-up: one login ID, the profile that waited in the challenge,
   * the address the code went to marked verified, and this verification as its first sign-in. One
   * transaction, the login ID's primary key as the uniqueness gate: the loser of a race (or a
   * sign-up whose login ID was taken since the code was sent) gets USER_EXISTS and leaves nothing.
   */
  async createVerified(projectId: string, loginId: string, profile: UserProfile, kind: AddressKind, address: string): Promise<UserRecord> {
    const verified = kind === 'email' ? { email: address, verifiedEmail: true } : { phone: address, verifiedPhone: true };
    return this.createWith(
      projectId,
      [loginId],
      {
        name: profile.name ?? null,
        givenName: profile.givenName ?? null,
        middleName: profile.middleName ?? null,
        familyName: profile.familyName ?? null,
        email: profile.email ?? null,
        phone: profile.phone ?? null,
        verifiedEmail: false,
        verifiedPhone: false,
        ...verified,
        status: 'enabled',
        roleNames: [],
        userTenants: [],
        customAttributes: {},
        picture: null,
        test: false,
      },
      Date.now(),
    );
  }

  /**
   * Records a successful verification of `address` over `kind`; returns whether this was the user's
   * first sign-in.
   */
  async recordVerifiedSignIn(user: UserEntity, kind: AddressKind, address: string): Promise<boolean> {
    const firstSeen = user.lastLoginAt === null;
    const changes: Partial<UserEntity> =
      kind === 'email' ? { lastLoginAt: Date.now(), email: address, verifiedEmail: true } : { lastLoginAt: Date.now(), phone: address, verifiedPhone: true };
    await this.recordSignIn({ id: user.id, set: changes });
    Object.assign(user, changes);
    return firstSeen;
  }

  /**
   * Gives a user a new, verified e-mail address or phone number (the end of an update flow), and
   * moves the login IDs with it, in one transaction:
   * - when the old address was one of the user's login IDs, that login ID becomes the new address
   *   (same position), unless `addToLoginIds`, which adds the new address as an extra login ID;
   * - the login_ids primary key stays the uniqueness gate: if the new address is another user's
   *   login ID, the change fails with LOGIN_ID_CONFLICT (E062125)...
   * - ...unless `mergeIntoExisting` (the API's `onMergeUseExisting`). Merge rule: the EXISTING user
   *   (the one whose login ID the new address is) is kept, and the requesting user is merged into
   *   it: every login ID of the requesting user moves to the existing user (after its own), the
   *   existing user gets the address as verified, its profile otherwise unchanged, and the
   *   requesting user is deleted (the caller revokes its sessions). Proving
   *   both a session of one user and the code sent to the other's login ID is proof of owning both.
   */
  async changeAddress(projectId: string, userId: string, kind: AddressKind, address: string, options: AddressChange = {}): Promise<AddressChangeResult> {
    const newLoginId = normalizeLoginId(address);
    const outcome = await this.dataSource.transaction(async (tx) => {
      const user = await tx.findOneBy(UserEntity, { id: userId, projectId });
      if (!user) throw new DomainError('USER_NOT_FOUND', 'The user no longer exists');
      const previous = user[kind];
      const links = await tx.find(LoginIdEntity, { where: { projectId, userId }, order: { position: 'ASC' } });
      const owner = await tx.findOneBy(LoginIdEntity, { projectId, loginId: newLoginId });
      const verified = kind === 'email' ? { email: address, verifiedEmail: true } : { phone: address, verifiedPhone: true };

      if (owner && owner.userId !== userId) {
        if (!options.mergeIntoExisting) throw conflict(newLoginId);
        const into = owner.userId;
        const last = await tx.findOne(LoginIdEntity, { where: { projectId, userId: into }, order: { position: 'DESC' } });
        let position = (last?.position ?? 0) + 1;
        for (const link of links) await tx.update(LoginIdEntity, { projectId, loginId: link.loginId }, { userId: into, position: position++ });
        await tx.update(UserEntity, { id: into, projectId }, verified);
        await tx.delete(UserEntity, { id: userId, projectId });
        return { userId: into, previous, merged: true };
      }

      const ownsNew = links.some((l) => l.loginId === newLoginId);
      const oldLink = previous === null ? undefined : links.find((l) => l.loginId === normalizeLoginId(previous) && l.loginId !== newLoginId);
      try {
        if (!options.addToLoginIds && oldLink) {
          await tx.delete(LoginIdEntity, { projectId, loginId: oldLink.loginId });
          if (!ownsNew) await tx.insert(LoginIdEntity, { projectId, loginId: newLoginId, userId, position: oldLink.position });
        } else if (options.addToLoginIds && !ownsNew) {
          await tx.insert(LoginIdEntity, { projectId, loginId: newLoginId, userId, position: (links.at(-1)?.position ?? 0) + 1 });
        }
      } catch (error) {
        // Another user took the address as a login ID after the look-up above.
        if (isUniqueViolation(error)) throw conflict(newLoginId);
        throw error;
      }
      await tx.update(UserEntity, { id: userId, projectId }, verified);
      return { userId, previous, merged: false };
    });
    const record = await this.findById(projectId, outcome.userId);
    if (!record) throw new DomainError('USER_NOT_FOUND', 'The user no longer exists');
    return { record, previous: outcome.previous, merged: outcome.merged };
  }

  /**
   * Creates a user with all its login IDs at once (the first is the primary one), in one
   * transaction; USER_EXISTS if one is taken, and then nothing is left behind. `signedInAt`: the
   * user's first sign-in, when creating it is one.
   */
  async createWith(projectId: string, loginIds: string[], attributes: UserAttributes, signedInAt: number | null = null): Promise<UserRecord> {
    const ids = uniqueLoginIds(loginIds);
    const user = this.users.create({ ...attributes, id: newId('U'), projectId, createdAt: Date.now(), lastLoginAt: signedInAt });
    const links = ids.map((loginId, position) => this.loginIds.create({ projectId, loginId, userId: user.id, position }));
    try {
      await runAtomically(this.dataSource, [this.usersTable.insertStatement([user]), this.loginIdsTable.insertStatement(links)]);
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('USER_EXISTS', `A login ID of ${JSON.stringify(ids)} is already taken`);
      throw error;
    }
    return { user, loginIds: ids };
  }

  /**
   * Changes a user's attributes and, when `additionalLoginIds` is given, replaces every login ID but
   * the primary one; LOGIN_ID_CONFLICT when another user has one of them.
   */
  async updateWith(record: UserRecord, changes: Partial<UserAttributes>, additionalLoginIds?: string[]): Promise<UserRecord> {
    const { user } = record;
    const primary = record.loginIds[0]!;
    const loginIds = additionalLoginIds ? uniqueLoginIds([primary, ...additionalLoginIds]) : record.loginIds;
    try {
      await this.dataSource.transaction(async (manager) => {
        if (Object.keys(changes).length) await manager.update(UserEntity, { id: user.id, projectId: user.projectId }, changes);
        if (additionalLoginIds) {
          await manager.delete(LoginIdEntity, { projectId: user.projectId, userId: user.id });
          await this.insertLoginIds(manager, user.projectId, user.id, loginIds);
        }
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('LOGIN_ID_CONFLICT', 'A login ID is already used by another user');
      throw error;
    }
    return { user: Object.assign(user, changes), loginIds };
  }

  async delete(projectId: string, userId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // Login IDs first: a reader never finds a login ID whose user is gone.
      await manager.delete(LoginIdEntity, { projectId, userId });
      await manager.delete(UserEntity, { projectId, id: userId });
    });
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
    return { records: users.map((user) => ({ user, loginIds: loginIds.get(user.id) ?? [] })), total };
  }

  private async insertLoginIds(manager: EntityManager, projectId: string, userId: string, loginIds: string[]): Promise<void> {
    await manager.insert(
      LoginIdEntity,
      loginIds.map((loginId, position) => ({ projectId, loginId, userId, position })),
    );
  }

  async loginIdsOf(projectId: string, userIds: string[]): Promise<Map<string, string[]>> {
    const rows = await this.loginIds.find({ where: { projectId, userId: In(userIds) }, order: { position: 'ASC' } });
    const map = new Map<string, string[]>();
    for (const row of rows) map.set(row.userId, [...(map.get(row.userId) ?? []), row.loginId]);
    return map;
  }

  static toResponse({ user, loginIds }: UserRecord): UserResponseDto {
    return {
      userId: user.id,
      loginIds,
      name: user.name ?? '',
      givenName: user.givenName ?? '',
      middleName: user.middleName ?? '',
      familyName: user.familyName ?? '',
      email: user.email ?? '',
      phone: user.phone ?? '',
      verifiedEmail: user.verifiedEmail,
      verifiedPhone: user.verifiedPhone,
      status: user.status,
      createdTime: Math.floor(user.createdAt / 1000),
      roleNames: user.roleNames,
      userTenants: user.userTenants,
      customAttributes: user.customAttributes,
      picture: user.picture ?? '',
      test: user.test,
      // core-js types these sign-in methods as required; none of them exists on this server.
      TOTP: false,
      SAML: false,
      SCIM: false,
      password: false,
      OAuth: {},
    };
  }
}

function conflict(loginId: string): DomainError {
  return new DomainError('LOGIN_ID_CONFLICT', `${JSON.stringify(loginId)} is already a login ID of another user`);
}

function uniqueLoginIds(loginIds: string[]): string[] {
  return [...new Set(loginIds.map(normalizeLoginId).filter((id) => id !== ''))];
}

export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driver = (error as QueryFailedError & { driverError?: { code?: string } }).driverError;
  return driver?.code === '23505' || /^SQLITE_CONSTRAINT_(PRIMARYKEY|UNIQUE)$/.test(driver?.code ?? '');
}
