import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/http/api-error-responses.js';
import { DeliveryRecordsService } from '../delivery/delivery-records.service.js';
import { ManagementAuthGuard } from '../projects/management-auth.guard.js';
import { CurrentProject } from '../projects/project-auth.guard.js';
import type { Project } from '../projects/projects.service.js';
import { normalizeLoginId } from '../users/users.service.js';
import { DeliveriesQueryDto, DeliveryListDto, DeliveryResponseDto } from './dto/deliveries.dto.js';

/** What happened to the messages sent for a login ID: state, provider, error. Never the code. */
@ApiTags('Management: deliveries')
@ApiBearerAuth('ManagementKey')
@ApiErrorResponses()
@UseGuards(ManagementAuthGuard)
@Controller('v1/mgmt/deliveries')
export class DeliveriesController {
  constructor(private readonly records: DeliveryRecordsService) {}

  /** The latest 50 deliveries of a login ID, newest first. */
  @Get()
  async list(@CurrentProject() project: Project, @Query() query: DeliveriesQueryDto): Promise<DeliveryListDto> {
    return { deliveries: await this.records.listForLoginId(project.id, normalizeLoginId(query.loginId)) };
  }

  /** One delivery record. */
  @Get(':deliveryId')
  async get(@CurrentProject() project: Project, @Param('deliveryId') deliveryId: string): Promise<DeliveryResponseDto> {
    return { delivery: await this.records.get(project.id, deliveryId) };
  }
}
