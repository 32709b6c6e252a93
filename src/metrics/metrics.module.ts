import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { DELIVERY_QUEUE } from '../queue/queue-names.js';
import { MetricsServer } from './metrics.server.js';
import { MetricsService } from './metrics.service.js';

@Global()
@Module({
  imports: [BullModule.registerQueue({ name: DELIVERY_QUEUE })],
  providers: [MetricsService, MetricsServer],
  exports: [MetricsService],
})
export class MetricsModule {}
