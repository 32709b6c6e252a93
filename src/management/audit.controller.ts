import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuditService } from '../audit/audit.service.js';
import { ApiErrorResponses } from '../common/http/api-error-responses.js';
import { ManagementAuthGuard } from '../projects/management-auth.guard.js';
import { CurrentProject } from '../projects/project-auth.guard.js';
import type { Project } from '../projects/projects.service.js';
import { AuditPageDto, AuditQueryDto } from './dto/audit.dto.js';

@ApiTags('Management: audit')
@ApiBearerAuth('ManagementKey')
@ApiErrorResponses()
@UseGuards(ManagementAuthGuard)
@Controller('v1/mgmt/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** The project's audit trail, oldest first, one page at a time. */
  @Get()
  list(@CurrentProject() project: Project, @Query() query: AuditQueryDto): Promise<AuditPageDto> {
    return this.audit.page(project.id, query.cursor ?? 0, query.limit ?? 100);
  }
}
