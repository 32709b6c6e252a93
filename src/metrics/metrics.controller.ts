import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { equalSecrets } from '../common/crypto/constant-time.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from './metrics.service.js';

/** Prometheus scrape endpoint; behind `Bearer <METRICS_TOKEN>` when that is set. */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    if (!metricsAuthorized(this.config, authorization)) throw new DomainError('UNAUTHORIZED', 'GET /metrics needs "Bearer <METRICS_TOKEN>"');
    void reply.header('content-type', this.metrics.contentType).send(await this.metrics.render());
  }
}

export function metricsAuthorized(config: AppConfig, authorization: string | undefined): boolean {
  if (!config.metricsToken) return true;
  return equalSecrets(authorization ?? '', `Bearer ${config.metricsToken}`);
}
