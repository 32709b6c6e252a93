import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DELIVERY_QUEUE } from '../queue/queue-names.js';

/** Where an OTP stands in its life; one counter per (project, channel, outcome). */
export type FunnelOutcome = 'queued' | 'sent' | 'delivered' | 'failed' | 'verified' | 'wrong_code' | 'expired' | 'locked';

/** Which limiter refused a request. */
export type RateLimitLayer = 'ip' | 'project' | 'login_id' | 'global';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** Whether a failed delivery attempt will be retried (`temporary`) or not (`permanent`). */
export type ProviderErrorKind = 'temporary' | 'permanent';

/**
 * The process's one Prometheus registry and its metrics. Built once per process, not per Nest
 * context: under `npm start` the API and the in-process worker are two contexts, and both must count
 * into the registry that /metrics serves (the API at /metrics, a worker on WORKER_HEALTH_PORT).
 */
class ProcessMetrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly funnel = new Counter({
    name: 'otp_funnel_total',
    help: 'OTP codes by project, channel and outcome (queued by the API, sent/failed by workers, delivered/failed by provider callbacks, verified/wrong_code/expired/locked by the API)',
    labelNames: ['project', 'channel', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly deliveryLatency = new Histogram({
    name: 'otp_delivery_latency_seconds',
    help: 'Time from enqueueing a delivery to the provider accepting it',
    labelNames: ['channel', 'provider'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });

  readonly providerErrors = new Counter({
    name: 'delivery_provider_errors_total',
    help: 'Failed delivery attempts, by channel, provider and kind (temporary: retried; permanent: not)',
    labelNames: ['channel', 'provider', 'kind'] as const,
    registers: [this.registry],
  });

  readonly rateLimitRefusals = new Counter({
    name: 'rate_limit_refusals_total',
    help: 'Requests refused by a rate limit, by layer',
    labelNames: ['layer'] as const,
    registers: [this.registry],
  });

  private queueGauges = false;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The queue gauges read the queue at scrape time; the contexts of a process all use the same queue. */
  watchQueue(queue: Queue): void {
    if (this.queueGauges) return;
    this.queueGauges = true;
    new Gauge({
      name: 'delivery_queue_jobs',
      help: 'Jobs in the delivery queue, by state',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        // A scrape while Redis is away reports nothing rather than hanging the scraper.
        const counts = await withTimeout(queue.getJobCounts(...QUEUE_STATES), 1000).catch(() => null);
        if (!counts) return;
        for (const state of QUEUE_STATES) this.set({ state }, counts[state] ?? 0);
      },
    });
    new Gauge({
      name: 'delivery_queue_oldest_waiting_seconds',
      help: 'Age of the oldest job waiting for a worker (0 when none waits): the backlog a user is stuck behind',
      registers: [this.registry],
      async collect() {
        const oldest = await withTimeout(queue.getJobs(['waiting'], 0, 0, true), 1000).catch(() => null);
        if (!oldest) return;
        const timestamp = oldest[0]?.timestamp;
        this.set(timestamp ? Math.max(0, (Date.now() - timestamp) / 1000) : 0);
      },
    });
  }
}

let processMetrics: ProcessMetrics | undefined;

/** The metrics of this process, whichever Nest context asks. */
@Injectable()
export class MetricsService {
  private readonly metrics = (processMetrics ??= new ProcessMetrics());

  constructor(@InjectQueue(DELIVERY_QUEUE) queue: Queue) {
    this.metrics.watchQueue(queue);
  }

  get registry(): Registry {
    return this.metrics.registry;
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.metrics.httpRequests.inc(labels);
    this.metrics.httpDuration.observe(labels, seconds);
  }

  otp(project: string, channel: string, outcome: FunnelOutcome): void {
    this.metrics.funnel.inc({ project, channel, outcome });
  }

  deliveryAccepted(channel: string, provider: string, seconds: number): void {
    this.metrics.deliveryLatency.observe({ channel, provider }, seconds);
  }

  providerError(channel: string, provider: string, kind: ProviderErrorKind): void {
    this.metrics.providerErrors.inc({ channel, provider, kind });
  }

  rateLimited(layer: RateLimitLayer): void {
    this.metrics.rateLimitRefusals.inc({ layer });
  }

  render(): Promise<string> {
    return this.metrics.registry.metrics();
  }

  get contentType(): string {
    return this.metrics.registry.contentType;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}
