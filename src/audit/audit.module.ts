import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ManagementAuthGuard } from '../management/management-auth.guard.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { AuditEventEntity } from './audit-event.entity.js';
import { AuditController } from './audit.controller.js';
import { AuditRepository } from './audit.repository.js';
import { AuditService } from './audit.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([AuditEventEntity]), ProjectsModule],
  controllers: [AuditController],
  providers: [AuditService, AuditRepository, ManagementAuthGuard],
  exports: [AuditService],
})
export class AuditModule {}
