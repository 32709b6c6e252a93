import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DomainError } from '../common/errors/domain-error.js';
import type { Project } from '../projects/projects.service.js';
import { type UserRecord, UsersService } from '../users/users.service.js';
import { SessionEntity } from './session.entity.js';
import { SigningKeysService } from './signing-keys.service.js';

export interface RefreshClaims {
  iss: string;
  sub: string;
  jti: string;
  drn: string;
  amr: string[];
  iat: number;
  exp: number;
}

export interface AuthenticatedSession {
  session: SessionEntity;
  claims: RefreshClaims;
  record: UserRecord;
}

/** Checks refresh JWTs: our signature, this project, a live session row, an enabled user. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly jwt: JwtService,
    private readonly keys: SigningKeysService,
    private readonly users: UsersService,
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
  ) {}

  async authenticate(project: Project, refreshJwt: string): Promise<AuthenticatedSession> {
    const claims = await this.verifyRefreshJwt(project, refreshJwt);
    const session = await this.sessions.findOneBy({ id: claims.jti, projectId: project.id });
    if (!session || session.revokedAt !== null || session.expiresAt <= Date.now() || session.userId !== claims.sub) {
      throw new DomainError('INVALID_REFRESH_TOKEN', 'The refresh token is revoked or unknown');
    }
    const record = await this.users.findById(project.id, session.userId);
    if (!record) throw new DomainError('INVALID_REFRESH_TOKEN', 'The user of this session no longer exists');
    if (record.user.status === 'disabled') throw new DomainError('USER_DISABLED', 'The user is disabled');
    return { session, claims, record };
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
