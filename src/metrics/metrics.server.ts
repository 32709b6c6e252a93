import { createServer, type Server } from 'node:http';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from './metrics.service.js';

/**
 * METRICS_PORT: this process's /metrics on a listener of its own, bound to METRICS_HOST (default
 * 127.0.0.1), so that Prometheus scrapes it over an internal address without a token while the
 * public port serves no metrics in production.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: Server;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const listener = this.config.metricsListener;
    if (!listener) return;
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' || path !== '/metrics') return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"status":"not found"}');
      this.metrics.render().then(
        (body) => res.writeHead(200, { 'content-type': this.metrics.contentType }).end(body),
        (error: unknown) => {
          this.logger.error(error instanceof Error ? error.message : String(error));
          res.writeHead(500, { 'content-type': 'application/json' }).end('{"status":"error"}');
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(listener.port, listener.host, () => resolve());
    });
    this.logger.log(`Metrics on http://${listener.host}:${listener.port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
