import { createServer, type Server } from 'node:http';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { metricsAuthorized } from '../metrics/metrics.controller.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ReadinessService } from './readiness.service.js';

/**
 * A worker has no HTTP API; this small listener on WORKER_HEALTH_PORT gives orchestrators the same
 * /health/live and /health/ready as the API, and Prometheus the worker's own /metrics.
 */
@Injectable()
export class WorkerHealthServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WorkerHealth');
  private server?: Server;

  constructor(
    private readonly config: AppConfig,
    private readonly readiness: ReadinessService,
    private readonly metrics: MetricsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.workerHealthPort;
    if (port === null) return;
    this.server = createServer((req, res) => {
      const send = (status: number, type: string, body: string) => res.writeHead(status, { 'content-type': type }).end(body);
      const path = (req.url ?? '/').split('?')[0];
      void (async () => {
        if (req.method !== 'GET') return send(405, 'application/json', '{"status":"error"}');
        if (path === '/health/live') return send(200, 'application/json', '{"status":"ok"}');
        if (path === '/health/ready') {
          const result = await this.readiness.check();
          return send(result.status === 'error' ? 503 : 200, 'application/json', JSON.stringify(result));
        }
        if (path === '/metrics') {
          if (!metricsAuthorized(this.config, req.headers.authorization)) return send(401, 'application/json', '{"status":"unauthorized"}');
          return send(200, this.metrics.contentType, await this.metrics.render());
        }
        send(404, 'application/json', '{"status":"not found"}');
      })().catch((error: unknown) => {
        this.logger.error(error instanceof Error ? error.message : String(error));
        if (!res.headersSent) send(500, 'application/json', '{"status":"error"}');
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, this.config.host, () => resolve());
    });
    this.logger.log(`Worker health and metrics on http://${this.config.host}:${port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
