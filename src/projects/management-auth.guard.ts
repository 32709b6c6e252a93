import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { parseBearer } from '../common/http/bearer.js';
import type { AuthenticatedRequest } from './project-auth.guard.js';
import { ProjectsService } from './projects.service.js';

/** Requires `Authorization: Bearer <projectId>:<managementKey>` with a live key of that very project. */
@Injectable()
export class ManagementAuthGuard implements CanActivate {
  constructor(private readonly projects: ProjectsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const { projectId, secret } = parseBearer(request.headers.authorization);
    if (!secret) throw new DomainError('INVALID_MANAGEMENT_KEY', 'The management API needs "Bearer <projectId>:<managementKey>"');
    request.project = await this.projects.get(projectId);
    if (!(await this.projects.isManagementKey(projectId, secret))) {
      throw new DomainError('INVALID_MANAGEMENT_KEY', 'Unknown or revoked management key for this project');
    }
    return true;
  }
}
