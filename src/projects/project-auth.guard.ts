import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { parseBearer } from '../common/http/bearer.js';
import { type Project, ProjectsService } from './projects.service.js';

export interface AuthenticatedRequest extends FastifyRequest {
  project: Project;
  /** What followed `<projectId>:` in the bearer (a refresh JWT or a management key), if anything. */
  bearerSecret?: string;
}

/** Loads the project named by `Authorization: Bearer <projectId>[:<secret>]`; 401 otherwise. */
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
