import { Module } from '@nestjs/common';
import { SecretsModule } from './common/crypto/secrets.module.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DeliveryProcessor } from './delivery/delivery.processor.js';
import { DeliveryWorkerModule } from './delivery/delivery.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { QueueModule } from './queue/queue.module.js';
import { RedisModule } from './redis/redis.module.js';

/** The worker process: consumes the delivery queue. No HTTP listener, no migrations (Redis for the sink provider). */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig) {
    return {
      module: WorkerModule,
      imports: [ConfigModule.forRoot(config), LoggingModule.forRoot(config), SecretsModule, RedisModule, QueueModule, DeliveryWorkerModule],
      providers: [DeliveryProcessor],
    };
  }
}
