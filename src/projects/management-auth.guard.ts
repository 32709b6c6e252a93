import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { type AuthenticatedRequest, parseBearer } from '../auth/project-auth.guard.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ProjectsService } from './projects.service.js';

/** Requires `Authorization: Bearer <projectId>:<managementKey>` with a live key of that project. */
@Injectable()
export class ManagementAuthGuard implements CanActivate {
  constructor(private readonly projects: ProjectsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const { projectId, secret } = parseBearer(request.headers.authorization);
    if (!secret) throw new DomainError('UNAUTHORIZED', 'Management routes need "Bearer <projectId>:<managementKey>"');
    const project = await this.projects.get(projectId);
    if (!(await this.projects.isManagementKey(project.id, secret))) throw new DomainError('INVALID_MANAGEMENT_KEY', 'Invalid management key');
    request.project = project;
    request.bearerSecret = secret;
    return true;
  }
}
