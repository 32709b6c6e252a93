import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { SecretsModule } from './common/crypto/secrets.module.js';
import { DescopeExceptionFilter } from './common/http/descope-exception.filter.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { DeliveryModule } from './delivery/delivery.module.js';
import { HealthController } from './health/health.controller.js';
import { HealthModule } from './health/health.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { ManagementModule } from './management/management.module.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { OtpModule } from './otp/otp.module.js';
import { ProjectsModule } from './projects/projects.module.js';
import { QueueModule } from './queue/queue.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { RedisModule } from './redis/redis.module.js';
import { UsersModule } from './users/users.module.js';

/**
 * The API process: HTTP routes and the queue producer, never a queue consumer. It imports every
 * feature module itself, so that what serves a route or guards them all (DeliveryModule's Twilio
 * callback, RateLimitModule's global guard) does not depend on which sibling happens to import it.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig) {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config),
        SecretsModule,
        DatabaseModule.forRoot({ runMigrations: true }),
        RedisModule,
        QueueModule,
        MetricsModule,
        HealthModule,
        ProjectsModule,
        UsersModule,
        OtpModule,
        AuditModule,
        RateLimitModule,
        DeliveryModule,
        AuthModule,
        ManagementModule,
      ],
      controllers: [HealthController, MetricsController],
      providers: [{ provide: APP_FILTER, useClass: DescopeExceptionFilter }],
    };
  }
}
