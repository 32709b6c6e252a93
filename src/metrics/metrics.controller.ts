import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { equalSecrets } from '../common/crypto/constant-time.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from './metrics.service.js';

/**
 * Prometheus scrape endpoint; behind `Bearer <METRICS_TOKEN>` when that is set. In production
 * without a token it serves nothing: the figures name every tenant (METRICS_PORT is the other way).
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    if (!metricsAuthorized(this.config, authorization)) {
      throw new DomainError(
        'UNAUTHORIZED',
        this.config.metricsToken ? 'GET /metrics needs "Bearer <METRICS_TOKEN>"' : 'In production, /metrics needs METRICS_TOKEN, or METRICS_PORT for an internal listener',
      );
    }
    void reply.header('content-type', this.metrics.contentType).send(await this.metrics.render());
  }
}

export function metricsAuthorized(config: AppConfig, authorization: string | undefined): boolean {
  if (!config.metricsToken) return !config.isProduction;
  return equalSecrets(authorization ?? '', `Bearer ${config.metricsToken}`);
}
