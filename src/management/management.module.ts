import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { OtpModule } from '../otp/otp.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { UsersModule } from '../users/users.module.js';
import { ManagementAuthGuard } from './management-auth.guard.js';
import { ManagementController } from './management.controller.js';
import { ManagementService } from './management.service.js';

@Module({
  imports: [AuthModule, ProjectsModule, UsersModule, OtpModule],
  controllers: [ManagementController],
  providers: [ManagementService, ManagementAuthGuard],
})
export class ManagementModule {}
