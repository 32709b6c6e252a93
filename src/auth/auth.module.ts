import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { OtpModule } from '../otp/otp.module.js';
import { ProjectAuthGuard } from '../projects/project-auth.guard.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { RateLimitModule } from '../rate-limit/rate-limit.module.js';
import { UsersModule } from '../users/users.module.js';
import { KeysController } from './keys.controller.js';
import { OtpAuthService } from './otp-auth.service.js';
import { OtpController } from './otp.controller.js';
import { RefreshAuthGuard } from './refresh-auth.guard.js';
import { SessionController } from './session.controller.js';
import { SessionsService } from './sessions.service.js';
import { SessionEntity } from './session.entity.js';
import { SigningKeysModule } from './signing-keys.module.js';
import { TokensService } from './tokens.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([SessionEntity]),
    JwtModule.register({}),
    SigningKeysModule,
    ProjectsModule,
    UsersModule,
    OtpModule,
    DeliveryModule,
    RateLimitModule,
    AuditModule,
  ],
  controllers: [OtpController, SessionController, KeysController],
  providers: [OtpAuthService, TokensService, SessionsService, ProjectAuthGuard, RefreshAuthGuard],
  exports: [SigningKeysModule, SessionsService],
})
export class AuthModule {}
