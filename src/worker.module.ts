import { Module } from '@nestjs/common';
import { SecretsModule } from './common/crypto/secrets.module.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { DeliveryProcessor } from './delivery/delivery.processor.js';
import { DeliveryWorkerModule } from './delivery/delivery.module.js';
import { HealthModule } from './health/health.module.js';
import { WorkerHealthServer } from './health/worker-health.server.js';
import { LoggingModule } from './logging/logging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { OtpModule } from './otp/otp.module.js';
import { QueueModule } from './queue/queue.module.js';
import { RedisModule } from './redis/redis.module.js';

/**
 * The worker process: consumes the delivery queue and keeps the delivery records. No HTTP API
 * (only the health/metrics port when WORKER_HEALTH_PORT is set), and never migrates: the API does.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig) {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config),
        SecretsModule,
        DatabaseModule.forRoot({ runMigrations: false }),
        RedisModule,
        QueueModule,
        MetricsModule,
        HealthModule,
        DeliveryWorkerModule,
        OtpModule,
      ],
      providers: [DeliveryProcessor, WorkerHealthServer],
    };
  }
}
