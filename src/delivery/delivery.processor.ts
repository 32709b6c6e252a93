import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type BeforeApplicationShutdown, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type Job, UnrecoverableError } from 'bullmq';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { DeliveryRecordsService } from './delivery-records.service.js';
import { DeliveryService } from './delivery.service.js';
import { DELIVERY_QUEUE, type DeliveryJobData, type DeliveryOutcome, PermanentDeliveryError } from './delivery.types.js';

/** Registered only in WorkerModule, so an API process never consumes jobs by accident. */
@Processor(DELIVERY_QUEUE)
export class DeliveryProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryProcessor.name);

  constructor(
    private readonly delivery: DeliveryService,
    private readonly records: DeliveryRecordsService,
    private readonly metrics: MetricsService,
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

  async process(job: Job<DeliveryJobData>): Promise<DeliveryOutcome> {
    const { data } = job;
    const attempt = job.attemptsMade + 1;
    let outcome: DeliveryOutcome;
    try {
      outcome = await this.delivery.deliver(data);
    } catch (error) {
      const permanent = error instanceof PermanentDeliveryError;
      const final = permanent || attempt >= (job.opts.attempts ?? 1);
      const message = (error as Error).message;
      this.logger.warn({ msg: final ? 'delivery failed' : 'delivery attempt failed', challengeId: data.challengeId, channel: data.channel, attempt, error: message, requestId: data.requestId });
      await this.record(data, (id) =>
        final
          ? this.records.failed(id, attempt, this.delivery.providerName(data.channel), message)
          : this.records.retrying(id, attempt, this.delivery.providerName(data.channel), message),
      );
      if (final && isCode(data)) this.metrics.otp(data.projectId, data.channel, 'failed');
      if (permanent) throw new UnrecoverableError(message);
      throw error;
    }
    if (isCode(data)) {
      this.metrics.otp(data.projectId, data.channel, 'sent');
      this.metrics.deliveryAccepted(data.channel, outcome.provider, (Date.now() - job.timestamp) / 1000);
    }
    await this.record(data, (id) => this.records.sent(id, attempt, outcome.provider, outcome.providerMessageId));
    return outcome;
  }

  /**
   * Bookkeeping never decides the job's fate: if the database is briefly away after the provider
   * accepted the message, retrying the job would send the code twice.
   */
  private async record(data: DeliveryJobData, write: (deliveryId: string) => Promise<unknown>): Promise<void> {
    // Notices (and jobs queued before delivery records existed) have no record.
    if (!data.deliveryId) return;
    try {
      await write(data.deliveryId);
    } catch (error) {
      this.logger.error({ msg: 'could not update the delivery record', error: (error as Error).message });
    }
  }
}

/** Codes count in the OTP funnel; address-change notices do not. */
function isCode(data: DeliveryJobData): boolean {
  return (data.type ?? 'otp') === 'otp';
}
