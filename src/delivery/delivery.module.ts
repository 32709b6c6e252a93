import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OtpModule } from '../otp/otp.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { DELIVERY_QUEUE } from '../queue/queue-names.js';
import { DeliveryQueueService } from './delivery-queue.service.js';
import { DeliveryRecordsRepository } from './delivery-records.repository.js';
import { DeliveryRecordsService } from './delivery-records.service.js';
import { DeliveryEntity } from './delivery.entity.js';
import { DeliveryService } from './delivery.service.js';
import { ProviderRegistry } from './providers/provider-registry.js';
import { StatusWebhookService } from './status-webhook.service.js';
import { TwilioStatusController } from './twilio-status.controller.js';
import { TwilioStatusService } from './twilio-status.service.js';

// The records read the login ID's live challenge: its deliveries still in the queue.
const records = [TypeOrmModule.forFeature([DeliveryEntity]), ProjectsModule, OtpModule];

/** The producer side, imported by the API: enqueues, announces `queued` deliveries, serves the records. */
@Module({
  imports: [BullModule.registerQueue({ name: DELIVERY_QUEUE }), ...records],
  controllers: [TwilioStatusController],
  providers: [DeliveryQueueService, DeliveryRecordsService, DeliveryRecordsRepository, StatusWebhookService, TwilioStatusService],
  exports: [DeliveryQueueService, DeliveryRecordsService],
})
export class DeliveryModule {}

/** The consumer side: the service that sends. Only the worker's root module registers the processor. */
@Module({
  imports: [BullModule.registerQueue({ name: DELIVERY_QUEUE }), ...records],
  // The queue service too: a permanently failed code falls back to the next channel through it.
  providers: [DeliveryService, ProviderRegistry, DeliveryRecordsService, DeliveryRecordsRepository, StatusWebhookService, DeliveryQueueService],
  exports: [DeliveryService, DeliveryRecordsService, DeliveryQueueService, ProjectsModule],
})
export class DeliveryWorkerModule {}
