import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DELIVERY_QUEUE } from '../queue/queue-names.js';
import { ReadinessService } from './readiness.service.js';

/** Readiness checks shared by the API's health routes and a worker's health port. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), BullModule.registerQueue({ name: DELIVERY_QUEUE })],
  providers: [ReadinessService],
  exports: [ReadinessService],
})
export class HealthModule {}
