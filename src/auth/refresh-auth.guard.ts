import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { parseBearer } from '../common/http/bearer.js';
import type { AuthenticatedRequest } from '../projects/project-auth.guard.js';
import { ProjectsService } from '../projects/projects.service.js';
import { type AuthenticatedSession, SessionsService } from './sessions.service.js';

export interface SessionRequest extends AuthenticatedRequest {
  auth: AuthenticatedSession;
}

/** Requires `Authorization: Bearer <projectId>:<refreshJwt>` with a live session of that project. */
@Injectable()
export class RefreshAuthGuard implements CanActivate {
  constructor(
    private readonly projects: ProjectsService,
    private readonly sessions: SessionsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<SessionRequest>();
    const { projectId, secret } = parseBearer(request.headers.authorization);
    if (!secret) throw new DomainError('UNAUTHORIZED', 'This route needs "Bearer <projectId>:<refreshJwt>"');
    request.project = await this.projects.get(projectId);
    request.bearerSecret = secret;
    request.auth = await this.sessions.authenticate(request.project, secret);
    return true;
  }
}

/** The authenticated session, its claims and its user, set by RefreshAuthGuard. */
export const CurrentSession = createParamDecorator(
  (_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<SessionRequest>().auth,
);
