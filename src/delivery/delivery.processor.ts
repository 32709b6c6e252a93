import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type BeforeApplicationShutdown, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type Job, UnrecoverableError } from 'bullmq';
import { AppConfig } from '../config/app-config.js';
import { DeliveryService } from './delivery.service.js';
import { DELIVERY_QUEUE, type DeliveryJobData, PermanentDeliveryError, type ProviderResult } from './delivery.types.js';

/**
 * Registered only in WorkerModule, so an API process never consumes jobs by accident.
 *
 * Delivery is at least once: a worker that dies mid-job (SIGKILL, OOM) stops renewing its job locks;
 * within lockDuration + stalledInterval another worker (or the same one restarted) takes the jobs
 * back. A job that had already reached the provider is then sent twice; that is harmless, since
 * both messages carry the same code of the same challenge, and is the price of never losing one.
 */
@Processor(DELIVERY_QUEUE, { lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 3 })
export class DeliveryProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Delivery');

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
      const permanent = error instanceof PermanentDeliveryError;
      const final = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      // The challenge ID ties the failure to a request; the job data in the log would be sealed anyway, but is left out.
      this.logger.warn({
        msg: final ? 'delivery failed for good' : 'delivery failed, will retry',
        challengeId: job.data.challengeId,
        channel: job.data.channel,
        attempt: job.attemptsMade + 1,
        error: (error as Error).message,
      });
      if (permanent) throw new UnrecoverableError((error as Error).message);
      throw error;
    }
  }
}
