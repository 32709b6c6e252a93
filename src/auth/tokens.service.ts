import { Injectable } from '@nestjs/common';
import { randomToken } from '../common/crypto/random.js';
import type { Project } from '../projects/projects.service.js';
import { type UserRecord, UsersService } from '../users/users.service.js';
import type { JwtResponseDto } from './dto/jwt-response.dto.js';
import { signRs256 } from './jwt-signer.js';
import { SessionsRepository } from './sessions.repository.js';
import { SigningKeysService } from './signing-keys.service.js';

export interface SessionRequest {
  amr: string[];
  customClaims?: Record<string, unknown>;
  firstSeen: boolean;
  /** The family of the refresh JWT being rotated; a sign-in starts a new family. */
  familyId?: string;
  userAgent?: string;
  ip?: string;
  /**
   * The successor a rotation chose: its jti and issue time (epoch ms). With `reissue`, the session
   * row exists already and the same tokens are signed again (RS256 signatures are deterministic).
   */
  successor?: { id: string; issuedAt: number; reissue: boolean };
}

/** Signs session and refresh JWTs; every refresh JWT is a row in `sessions` (its `jti`). */
@Injectable()
export class TokensService {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly sessions: SessionsRepository,
  ) {}

  async issue(project: Project, record: UserRecord, request: SessionRequest): Promise<JwtResponseDto> {
    const { user } = record;
    const now = request.successor?.issuedAt ?? Date.now();
    const iat = Math.floor(now / 1000);
    const sessionExp = iat + project.settings.sessionTtlSeconds;
    const refreshExp = iat + project.settings.refreshTtlSeconds;
    const session = this.sessions.create({
      id: request.successor?.id ?? randomToken(24),
      projectId: project.id,
      userId: user.id,
      familyId: request.familyId ?? randomToken(24),
      amr: request.amr,
      createdAt: now,
      expiresAt: refreshExp * 1000,
      rotatedAt: null,
      revokedAt: null,
      userAgent: request.userAgent?.slice(0, 512) ?? null,
      ip: request.ip?.slice(0, 64) ?? null,
      successorId: null,
    });
    if (!request.successor?.reissue) await this.sessions.insert(session);

    const key = await this.keys.current(project.id);
    const claims = {
      iss: project.id,
      sub: user.id,
      amr: request.amr,
      roles: user.roleNames,
      permissions: [] as string[],
      tenants: Object.fromEntries(user.userTenants.map((t) => [t.tenantId, { roles: t.roleNames, permissions: [] as string[] }])),
      ...(request.customClaims && Object.keys(request.customClaims).length ? { nsec: request.customClaims } : {}),
      iat,
    };
    const sessionClaims = { ...claims, drn: 'DS', exp: sessionExp };
    const sign = (payload: object) => signRs256(payload, key.privateKey, key.kid);
    const [sessionJwt, refreshJwt] = await Promise.all([sign(sessionClaims), sign({ ...claims, drn: 'DSR', jti: session.id, exp: refreshExp })]);
    const { cookieDomain } = project.settings;
    return {
      sessionJwt,
      refreshJwt,
      ...(cookieDomain ? { cookieDomain } : {}),
      cookiePath: '/',
      cookieMaxAge: refreshExp - iat,
      cookieExpiration: refreshExp,
      sessionExpiration: sessionExp,
      claims: sessionClaims,
      user: UsersService.toResponse(record),
      firstSeen: request.firstSeen,
    };
  }
}
