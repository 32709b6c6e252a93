import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type BeforeApplicationShutdown, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type Job, UnrecoverableError } from 'bullmq';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { OtpService } from '../otp/otp.service.js';
import { nextFallbackChannel } from '../projects/project-settings.js';
import { ProjectsService } from '../projects/projects.service.js';
import { DELIVERY_QUEUE } from '../queue/queue-names.js';
import { DeliveryQueueService } from './delivery-queue.service.js';
import { DeliveryRecordsService } from './delivery-records.service.js';
import { DeliveryService } from './delivery.service.js';
import { type DeliveryJobData, type DeliveryJobType, type DeliveryOutcome, PermanentDeliveryError, type QueuedDelivery } from './delivery.types.js';

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
  private readonly logger = new Logger(DeliveryProcessor.name);

  constructor(
    private readonly delivery: DeliveryService,
    private readonly records: DeliveryRecordsService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    private readonly queue: DeliveryQueueService,
    private readonly projects: ProjectsService,
    private readonly otp: OtpService,
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
    let type: DeliveryJobType = data.type ?? 'otp';
    try {
      type = this.queue.typeOf(data);
      outcome = await this.delivery.deliver(data);
    } catch (error) {
      const permanent = error instanceof PermanentDeliveryError;
      const final = permanent || attempt >= (job.opts.attempts ?? 1);
      const message = (error as Error).message;
      this.metrics.providerError(data.channel, this.delivery.providerName(data.channel) ?? 'none', permanent ? 'permanent' : 'temporary');
      this.logger.warn({ msg: final ? 'delivery failed' : 'delivery attempt failed', challengeId: data.challengeId, channel: data.channel, attempt, error: message, requestId: data.requestId });
      await this.record(job, (delivery) =>
        final
          ? this.records.failedDelivery(delivery, attempt, this.delivery.providerName(data.channel), message)
          : this.records.retrying(delivery, attempt, this.delivery.providerName(data.channel), message),
      );
      if (final && type === 'otp') this.metrics.otp(data.projectId, data.channel, 'failed');
      if (permanent && type === 'otp') await this.fallBack(data);
      if (permanent) throw new UnrecoverableError(message);
      throw error;
    }
    // Codes count in the OTP funnel; notices and anti-enumeration decoys do not.
    if (type === 'otp') {
      this.metrics.otp(data.projectId, data.channel, 'sent');
      this.metrics.deliveryAccepted(data.channel, outcome.provider, (Date.now() - job.timestamp) / 1000);
    }
    await this.record(job, (delivery) => this.records.sent(delivery, attempt, outcome.provider, outcome.providerMessageId));
    return outcome;
  }

  /**
   * Sends the same challenge over the next channel of the project's fallback chain, with a delivery
   * record of its own; the failed record stays failed. A fallback that cannot be queued is logged
   * and never changes the failed job's fate.
   */
  private async fallBack(data: DeliveryJobData): Promise<void> {
    try {
      const project = await this.projects.find(data.projectId);
      const next = project ? nextFallbackChannel(project.settings.deliveryFallback, data.channel) : undefined;
      if (!next || data.expiresAt <= Date.now()) return;
      const { to, loginId = '' } = this.queue.open(data);
      const step = (data.step ?? 0) + 1;
      // Before the message goes out: the code must verify over the channel it arrives by.
      await this.otp.allowChannel(data.projectId, loginId, data.challengeId, next);
      const queuedAt = Date.now();
      const id = await this.queue.enqueueFallback(data, next, step, queuedAt);
      this.records.queued({ id, challengeId: data.challengeId, projectId: data.projectId, loginId, channel: next, to, step, requestId: data.requestId, createdAt: queuedAt });
      this.logger.log({ msg: 'delivery falls back', challengeId: data.challengeId, from: data.channel, to: next, step, requestId: data.requestId });
    } catch (error) {
      this.logger.error({ msg: 'could not queue the fallback delivery', challengeId: data.challengeId, error: (error as Error).message });
    }
  }

  /**
   * Bookkeeping never decides the job's fate: if the database is briefly away after the provider
   * accepted the message, retrying the job would send the code twice.
   */
  private async record(job: Job<DeliveryJobData>, write: (delivery: QueuedDelivery) => Promise<unknown>): Promise<void> {
    try {
      // Notices (and jobs queued before delivery records existed) have no record.
      const delivery = this.queue.delivery(job);
      if (delivery) await write(delivery);
    } catch (error) {
      this.logger.error({ msg: 'could not update the delivery record', error: (error as Error).message });
    }
  }
}
