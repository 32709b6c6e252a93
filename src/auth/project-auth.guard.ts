import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain-error.js';
import { type Project, ProjectsService } from '../projects/projects.service.js';

export interface AuthenticatedRequest extends FastifyRequest {
  project: Project;
  /** What followed `<projectId>:` in the bearer (a refresh JWT or a management key), if anything. */
  bearerSecret?: string;
}

/** Parses `Authorization: Bearer <projectId>[:<secret>]` and loads the project; 401 otherwise. */
export function parseBearer(header: string | undefined): { projectId: string; secret?: string } {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) throw new DomainError('UNAUTHORIZED', 'Authorization must be "Bearer <projectId>[:<token>]"');
  const value = match[1]!;
  const colon = value.indexOf(':');
  if (colon === -1) return { projectId: value };
  const secret = value.slice(colon + 1);
  if (!secret) throw new DomainError('UNAUTHORIZED', 'Empty token after the project ID in the bearer');
  return { projectId: value.slice(0, colon), secret };
}

@Injectable()
export class ProjectAuthGuard implements CanActivate {
  constructor(private readonly projects: ProjectsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const { projectId, secret } = parseBearer(request.headers.authorization);
    request.project = await this.projects.get(projectId);
    request.bearerSecret = secret;
    return true;
  }
}

export const CurrentProject = createParamDecorator(
  (_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<AuthenticatedRequest>().project,
);

/** What followed `<projectId>:` in the bearer (a refresh JWT or a management key), if anything. */
export const BearerSecret = createParamDecorator(
  (_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<AuthenticatedRequest>().bearerSecret,
);
