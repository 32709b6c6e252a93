import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AuditService } from '../audit/audit.service.js';
import { randomToken } from '../common/crypto/random.js';
import { DomainError } from '../common/errors/domain-error.js';
import type { Project } from '../projects/projects.service.js';
import { type UserRecord, UsersService } from '../users/users.service.js';
import type { JwtResponseDto } from './dto/jwt-response.dto.js';
import type { SignInHistoryDto } from './dto/sign-in-history.dto.js';
import type { ClientInfo } from './client-info.js';
import type { SessionEntity } from './session.entity.js';
import { SessionsRepository } from './sessions.repository.js';
import { SigningKeysService } from './signing-keys.service.js';
import { TokensService } from './tokens.service.js';

/** Sign-ins `me/history` answers, newest first (Descope's console shows about as many). */
const HISTORY_LIMIT = 100;

export interface RefreshClaims {
  iss: string;
  sub: string;
  jti: string;
  drn: string;
  amr: string[];
  iat: number;
  exp: number;
  nsec?: Record<string, unknown>;
}

export interface AuthenticatedSession {
  session: SessionEntity;
  claims: RefreshClaims;
  record: UserRecord;
}

/**
 * The session lifecycle behind refresh JWTs: checking them (our signature, this project, a live
 * session row, an enabled user), rotating them, and revoking them.
 *
 * Every refresh rotates: the presented refresh JWT gets `rotated_at` and a successor in the same
 * family. A rotated JWT presented again within the project's grace window (two tabs refreshing at
 * once) answers the same successor, signed again; presenting it after the window means someone else
 * holds a copy, so the whole family is revoked.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly jwt: JwtService,
    private readonly keys: SigningKeysService,
    private readonly users: UsersService,
    private readonly tokens: TokensService,
    private readonly sessions: SessionsRepository,
    private readonly audit: AuditService,
  ) {}

  async authenticate(project: Project, refreshJwt: string): Promise<AuthenticatedSession> {
    const claims = await this.verifyRefreshJwt(project, refreshJwt);
    const session = await this.sessions.find(claims.jti, project.id);
    if (!session || session.revokedAt !== null || session.expiresAt <= Date.now() || session.userId !== claims.sub) {
      throw new DomainError('INVALID_REFRESH_TOKEN', 'The refresh token is revoked or unknown');
    }
    if (session.rotatedAt !== null) await this.assertWithinGrace(project, session, Date.now());
    const record = await this.users.findById(project.id, session.userId);
    if (!record) throw new DomainError('INVALID_REFRESH_TOKEN', 'The user of this session no longer exists');
    if (record.user.status === 'disabled') throw new DomainError('USER_DISABLED', 'The user is disabled');
    return { session, claims, record };
  }

  /** New session and refresh JWTs for an authenticated refresh JWT, which is rotated out. */
  async refresh(project: Project, auth: AuthenticatedSession, client: ClientInfo): Promise<JwtResponseDto> {
    const { session, claims, record } = auth;
    const now = Date.now();
    const request = { amr: session.amr, customClaims: claims.nsec, firstSeen: false, familyId: session.familyId, ...client };
    // The conditional update is the rotation gate: of two concurrent refreshes exactly one marks the
    // row and names its successor; the other sees it rotated and is judged by the grace window like
    // any later reuse.
    const successorId = randomToken(24);
    if (await this.sessions.markRotated(session.id, successorId, now)) return this.tokens.issue(project, record, { ...request, successor: { id: successorId, issuedAt: now, reissue: false } });

    const current = await this.sessions.find(session.id);
    if (!current || current.revokedAt !== null) throw new DomainError('INVALID_REFRESH_TOKEN', 'The refresh token is revoked');
    await this.assertWithinGrace(project, current, now);
    // Idempotent rotation: the reuse gets the successor the first rotation issued, never a second
    // chain, so whoever races the owner holds nothing the owner does not. Rows rotated before
    // successors were recorded get a new successor, as they always did.
    const reissue = current.successorId ? { id: current.successorId, issuedAt: current.rotatedAt!, reissue: true } : undefined;
    return this.tokens.issue(project, record, { ...request, successor: reissue });
  }

  /**
   * `try-refresh`: a refresh that never fails for want of a session. No refresh JWT, or one that
   * cannot be refreshed (invalid, expired, revoked, reused, or its user disabled or deleted), gives
   * null; anything else (Redis or the database down) still fails.
   */
  async tryRefresh(project: Project, refreshJwt: string | undefined, client: ClientInfo): Promise<JwtResponseDto | null> {
    if (!refreshJwt) return null;
    try {
      return await this.refresh(project, await this.authenticate(project, refreshJwt), client);
    } catch (error) {
      if (error instanceof DomainError && (error.kind === 'INVALID_REFRESH_TOKEN' || error.kind === 'USER_DISABLED')) return null;
      throw error;
    }
  }

  /** The user's sign-ins, newest first, from the audit trail. */
  async history(auth: AuthenticatedSession): Promise<SignInHistoryDto[]> {
    const events = await this.audit.signIns(auth.session.projectId, auth.record.user.id, HISTORY_LIMIT);
    return events.map((event) => ({
      userId: auth.record.user.id,
      loginTime: Math.floor(event.time / 1000),
      // No geolocation database here: the contract allows empty city and country.
      city: '',
      country: '',
      ip: event.ip ?? '',
    }));
  }

  /** Ends one session: the refresh JWT and every rotation of it. */
  async logout(auth: AuthenticatedSession, client: ClientInfo = {}): Promise<void> {
    await this.revokeFamily(auth.session.familyId);
    await this.recordLogout(auth, client, 'session');
  }

  /** Ends every session of the user (`logoutall`). */
  async logoutAll(auth: AuthenticatedSession, client: ClientInfo = {}): Promise<void> {
    await this.revokeUser(auth.session.projectId, auth.record.user.id);
    await this.recordLogout(auth, client, 'all');
  }

  private recordLogout(auth: AuthenticatedSession, client: ClientInfo, scope: 'session' | 'all'): Promise<void> {
    return this.audit.record({
      projectId: auth.session.projectId,
      action: 'logout',
      outcome: 'success',
      userId: auth.record.user.id,
      loginId: auth.record.loginIds[0],
      method: 'refresh',
      ...client,
      detail: { scope },
    });
  }

  /** Ends every session of the user. */
  async revokeUser(projectId: string, userId: string): Promise<void> {
    await this.sessions.revokeUser(projectId, userId, Date.now());
  }

  private async assertWithinGrace(project: Project, session: SessionEntity, now: number): Promise<void> {
    if (now - session.rotatedAt! <= project.settings.refreshGraceSeconds * 1000) return;
    await this.revokeFamily(session.familyId);
    await this.audit.record({
      projectId: project.id,
      action: 'refresh_theft',
      outcome: 'failure',
      userId: session.userId,
      method: 'refresh',
      detail: { familyId: session.familyId, reusedAfterMs: now - session.rotatedAt! },
    });
    throw new DomainError('INVALID_REFRESH_TOKEN', 'The refresh token was already used: every session of this sign-in is revoked');
  }

  private async revokeFamily(familyId: string): Promise<void> {
    await this.sessions.revokeFamily(familyId, Date.now());
  }

  private async verifyRefreshJwt(project: Project, token: string): Promise<RefreshClaims> {
    const header = this.jwt.decode<{ header?: { kid?: unknown } } | null>(token, { complete: true });
    const kid = header?.header?.kid;
    const key = typeof kid === 'string' ? await this.keys.publicKey(project.id, kid) : null;
    if (!key) throw new DomainError('INVALID_REFRESH_TOKEN', 'The refresh token is not signed by this project');
    let claims: RefreshClaims;
    try {
      claims = await this.jwt.verifyAsync<RefreshClaims>(token, { publicKey: key as never, algorithms: ['RS256'], issuer: project.id });
    } catch (error) {
      throw new DomainError('INVALID_REFRESH_TOKEN', `Invalid refresh token: ${(error as Error).message}`);
    }
    if (claims.drn !== 'DSR' || typeof claims.jti !== 'string') {
      throw new DomainError('INVALID_REFRESH_TOKEN', 'Not a refresh token');
    }
    return claims;
  }
}
