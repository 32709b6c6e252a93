import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { DeliveryQueueService } from './delivery-queue.service.js';
import { DeliveryService } from './delivery.service.js';
import { DELIVERY_QUEUE } from './delivery.types.js';
import { ProviderRegistry } from './providers/provider-registry.js';

/** The producer side, imported by the API. */
@Module({
  imports: [BullModule.registerQueue({ name: DELIVERY_QUEUE })],
  providers: [DeliveryQueueService],
  exports: [DeliveryQueueService],
})
export class DeliveryModule {}

/** The consumer side: the service that sends. Only the worker's root module registers the processor. */
@Module({
  imports: [BullModule.registerQueue({ name: DELIVERY_QUEUE })],
  providers: [DeliveryService, ProviderRegistry],
  exports: [DeliveryService],
})
export class DeliveryWorkerModule {}
