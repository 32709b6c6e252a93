import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DELIVERY_QUEUE } from '../delivery/delivery.types.js';

/** Where an OTP stands in its life; one counter per (project, channel, outcome). */
export type FunnelOutcome = 'queued' | 'sent' | 'delivered' | 'failed' | 'verified' | 'wrong_code' | 'expired' | 'locked';

/** Which limiter refused a request. */
export type RateLimitLayer = 'ip' | 'project' | 'login_id' | 'global';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/**
 * The process's Prometheus registry. The API and each worker have their own; each serves it
 * (the API at /metrics, a worker on WORKER_HEALTH_PORT).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  private readonly funnel = new Counter({
    name: 'otp_funnel_total',
    help: 'OTP codes by project, channel and outcome (queued by the API, sent/failed by workers, delivered/failed by provider callbacks, verified/wrong_code/expired/locked by the API)',
    labelNames: ['project', 'channel', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly deliveryLatency = new Histogram({
    name: 'otp_delivery_latency_seconds',
    help: 'Time from enqueueing a delivery to the provider accepting it',
    labelNames: ['channel', 'provider'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });

  private readonly rateLimitRefusals = new Counter({
    name: 'rate_limit_refusals_total',
    help: 'Requests refused by a rate limit, by layer',
    labelNames: ['layer'] as const,
    registers: [this.registry],
  });

  constructor(@InjectQueue(DELIVERY_QUEUE) queue: Queue) {
    collectDefaultMetrics({ register: this.registry });
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
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  otp(project: string, channel: string, outcome: FunnelOutcome): void {
    this.funnel.inc({ project, channel, outcome });
  }

  deliveryAccepted(channel: string, provider: string, seconds: number): void {
    this.deliveryLatency.observe({ channel, provider }, seconds);
  }

  rateLimited(layer: RateLimitLayer): void {
    this.rateLimitRefusals.inc({ layer });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}
