import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { OtpModule } from '../otp/otp.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { UsersModule } from '../users/users.module.js';
import { KeysController } from './keys.controller.js';
import { OtpAuthService } from './otp-auth.service.js';
import { OtpController } from './otp.controller.js';
import { ProjectAuthGuard } from './project-auth.guard.js';
import { RefreshAuthGuard } from './refresh-auth.guard.js';
import { SessionsService } from './sessions.service.js';
import { SessionEntity } from './session.entity.js';
import { SigningKeyEntity } from './signing-key.entity.js';
import { SigningKeysService } from './signing-keys.service.js';
import { TokensService } from './tokens.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([SessionEntity, SigningKeyEntity]),
    JwtModule.register({}),
    ProjectsModule,
    UsersModule,
    OtpModule,
    DeliveryModule,
    AuditModule,
  ],
  controllers: [OtpController, KeysController],
  providers: [OtpAuthService, TokensService, SigningKeysService, SessionsService, ProjectAuthGuard, RefreshAuthGuard],
  exports: [SigningKeysService],
})
export class AuthModule {}
