import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, QueryFailedError, Repository } from 'typeorm';
import { newId } from '../common/crypto/random.js';
import { DomainError } from '../common/errors/domain-error.js';
import type { UserResponseDto } from './dto/user-response.dto.js';
import { LoginIdEntity } from './login-id.entity.js';
import { UserEntity } from './user.entity.js';

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

/** Login IDs are trimmed and compared case-insensitively, as e-mail addresses are. */
export function normalizeLoginId(loginId: string): string {
  return loginId.trim().toLowerCase();
}

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(LoginIdEntity) private readonly loginIds: Repository<LoginIdEntity>,
  ) {}

  /**
   * One query (it runs on every send and verify): the user whose ID the login ID row names, joined
   * with all of the user's login IDs in order. The user ID comes from a scalar subquery and the login
   * IDs are joined on the (globally unique) user ID alone, so that every step is a primary-key or
   * user-ID index lookup whatever the planner's statistics say: a plain three-way join was planned as
   * a scan of all the project's users on a freshly loaded table.
   */
  async findByLoginId(projectId: string, loginId: string): Promise<UserRecord | null> {
    const query = this.users.createQueryBuilder('u');
    const userId = query.subQuery().select('l.userId').from(LoginIdEntity, 'l').where('l.projectId = :projectId AND l.loginId = :loginId').getQuery();
    const { entities, raw } = await query
      .innerJoin(LoginIdEntity, 'other', 'other.userId = u.id')
      .addSelect('other.loginId', 'other_login_id')
      // The project is pinned by the login ID row; adding it here let the planner pick the
      // (project) index and filter the project's users one by one.
      .where(`u.id = ${userId}`)
      .setParameters({ projectId, loginId: normalizeLoginId(loginId) })
      .orderBy('other.position', 'ASC')
      .getRawAndEntities<{ other_login_id: string }>();
    const user = entities[0];
    return user ? { user, loginIds: raw.map((row) => row.other_login_id) } : null;
  }

  async findById(projectId: string, userId: string): Promise<UserRecord | null> {
    const user = await this.users.findOneBy({ id: userId, projectId });
    if (!user) return null;
    const links = await this.loginIds.find({ where: { projectId, userId }, order: { position: 'ASC' } });
    return { user, loginIds: links.map((l) => l.loginId) };
  }

  /**
   * Creates a user with one login ID. The login ID row is the uniqueness gate: it is inserted after
   * the user, so a reader never finds a login ID without its user, and a loser of a race finds the
   * primary key taken and gets USER_EXISTS (its user row is removed again).
   */
  async create(projectId: string, loginId: string, profile: UserProfile): Promise<UserRecord> {
    const normalized = normalizeLoginId(loginId);
    const user = this.users.create({
      id: newId('U'),
      projectId,
      name: profile.name ?? null,
      givenName: profile.givenName ?? null,
      middleName: profile.middleName ?? null,
      familyName: profile.familyName ?? null,
      email: profile.email ?? null,
      phone: profile.phone ?? null,
      verifiedEmail: false,
      verifiedPhone: false,
      status: 'enabled',
      roleNames: [],
      userTenants: [],
      customAttributes: {},
      picture: null,
      test: false,
      createdAt: Date.now(),
      lastLoginAt: null,
    });
    await this.users.insert(user);
    try {
      await this.loginIds.insert({ projectId, loginId: normalized, userId: user.id, position: 0 });
    } catch (error) {
      await this.users.delete({ id: user.id });
      if (isUniqueViolation(error)) throw new DomainError('USER_EXISTS', `User ${JSON.stringify(normalized)} already exists`);
      throw error;
    }
    return { user, loginIds: [normalized] };
  }

  /**
   * Records a successful verification of `address` over `kind`; returns whether this was the user's
   * first sign-in.
   */
  async recordVerifiedSignIn(user: UserEntity, kind: AddressKind, address: string): Promise<boolean> {
    const firstSeen = user.lastLoginAt === null;
    const changes: Partial<UserEntity> = { lastLoginAt: Date.now() };
    if (kind === 'email') Object.assign(changes, { email: address, verifiedEmail: true });
    else Object.assign(changes, { phone: address, verifiedPhone: true });
    await this.users.update({ id: user.id }, changes);
    Object.assign(user, changes);
    return firstSeen;
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
    };
  }
}

export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driver = (error as QueryFailedError & { driverError?: { code?: string } }).driverError;
  return driver?.code === '23505' || /^SQLITE_CONSTRAINT_(PRIMARYKEY|UNIQUE)$/.test(driver?.code ?? '');
}
