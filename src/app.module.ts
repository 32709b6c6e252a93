import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthModule } from './auth/auth.module.js';
import { SecretsModule } from './common/crypto/secrets.module.js';
import { DescopeExceptionFilter } from './common/http/descope-exception.filter.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthController } from './health/health.controller.js';
import { HealthModule } from './health/health.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { ManagementModule } from './management/management.module.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { QueueModule } from './queue/queue.module.js';
import { RedisModule } from './redis/redis.module.js';

/** The API process: HTTP routes and the queue producer, never a queue consumer. */
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
        AuthModule,
        ManagementModule,
      ],
      controllers: [HealthController, MetricsController],
      providers: [{ provide: APP_FILTER, useClass: DescopeExceptionFilter }],
    };
  }
}
