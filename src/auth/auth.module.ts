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
import { AddressUpdateUseCase } from './otp/address-update.use-case.js';
import { AddressUpdateVerifier } from './otp/address-update.verifier.js';
import { OtpSendPipeline } from './otp/send-pipeline.js';
import { SignInUseCase } from './otp/sign-in.use-case.js';
import { SignInVerifier } from './otp/sign-in.verifier.js';
import { SignUpOrInUseCase } from './otp/sign-up-or-in.use-case.js';
import { SignUpUseCase } from './otp/sign-up.use-case.js';
import { SignUpVerifier } from './otp/sign-up.verifier.js';
import { VerifyOtpUseCase } from './otp/verify.use-case.js';
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
  providers: [
    OtpSendPipeline,
    SignUpUseCase,
    SignInUseCase,
    SignUpOrInUseCase,
    AddressUpdateUseCase,
    VerifyOtpUseCase,
    SignUpVerifier,
    SignInVerifier,
    AddressUpdateVerifier,
    TokensService,
    SessionsService,
    ProjectAuthGuard,
    RefreshAuthGuard,
  ],
  exports: [SigningKeysModule, SessionsService],
})
export class AuthModule {}
