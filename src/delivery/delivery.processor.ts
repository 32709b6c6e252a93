import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { type Job, UnrecoverableError } from 'bullmq';
import { AppConfig } from '../config/app-config.js';
import { DeliveryService } from './delivery.service.js';
import { DELIVERY_QUEUE, type DeliveryJobData, PermanentDeliveryError, type ProviderResult } from './delivery.types.js';

/** Registered only in WorkerModule, so an API process never consumes jobs by accident. */
@Processor(DELIVERY_QUEUE)
export class DeliveryProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly delivery: DeliveryService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.workerConcurrency;
  }

  /**
   * Finishes the jobs in hand before any connection closes (shutdown hooks of different modules run
   * in no promised order, and in cluster mode QueueConnections closes the client the worker uses).
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  async process(job: Job<DeliveryJobData>): Promise<ProviderResult> {
    try {
      return await this.delivery.deliver(job.data);
    } catch (error) {
      if (error instanceof PermanentDeliveryError) throw new UnrecoverableError(error.message);
      throw error;
    }
  }
}
