import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { OtpModule } from '../otp/otp.module.js';
import { ManagementAuthGuard } from '../projects/management-auth.guard.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { UsersModule } from '../users/users.module.js';
import { AuditController } from './audit.controller.js';
import { DeliveriesController } from './deliveries.controller.js';
import { ManagementController } from './management.controller.js';
import { ManagementService } from './management.service.js';

/** Every route a management key opens: users, deliveries, the audit trail. */
@Module({
  imports: [AuthModule, ProjectsModule, UsersModule, OtpModule, DeliveryModule, AuditModule],
  controllers: [ManagementController, DeliveriesController, AuditController],
  providers: [ManagementService, ManagementAuthGuard],
})
export class ManagementModule {}
