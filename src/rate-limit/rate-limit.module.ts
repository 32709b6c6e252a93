import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { type ThrottlerModuleOptions, ThrottlerModule } from '@nestjs/throttler';
import type { ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { ProjectSettings } from '../projects/project-settings.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { ProjectsService } from '../projects/projects.service.js';
import { REDIS } from '../redis/redis.module.js';
import { ipLayerOf, RateLimitGuard } from './rate-limit.guard.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';
import { SendLimitsService } from './send-limits.service.js';

type LimitedRequest = FastifyRequest & { rateLimitSettings?: Promise<ProjectSettings | undefined> };

/**
 * The per-IP limits run as a global guard, before the route's own guard has loaded the project, so
 * they read the project named by the bearer themselves (cached by ProjectsService); a request with
 * no valid project gets the defaults.
 */
function settingsOf(projects: ProjectsService, context: ExecutionContext): Promise<ProjectSettings | undefined> {
  const request = context.switchToHttp().getRequest<LimitedRequest>();
  request.rateLimitSettings ??= (async () => {
    const match = /^Bearer\s+([^\s:]+)/i.exec(request.headers.authorization ?? '');
    return match ? (await projects.find(match[1]!))?.settings : undefined;
  })();
  return request.rateLimitSettings;
}

function projectIdOf(context: ExecutionContext): string {
  const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization ?? '';
  return /^Bearer\s+([^\s:]+)/i.exec(header)?.[1]?.slice(0, 64) ?? '-';
}

function throttlerOptions(config: AppConfig, redis: Redis, projects: ProjectsService): ThrottlerModuleOptions {
  const defaults = new ProjectSettings();
  const setting = (key: 'ipSendLimit' | 'ipSendWindowSeconds' | 'ipVerifyLimit' | 'ipVerifyWindowSeconds') => async (context: ExecutionContext) =>
    (await settingsOf(projects, context))?.[key] ?? defaults[key];
  // Per project and IP: one project's limits never spend another's.
  const perProject = (context: ExecutionContext, tracker: string, name: string) => `${name}:${projectIdOf(context)}:${tracker}`;
  return {
    storage: new RedisThrottlerStorage(redis),
    setHeaders: false,
    throttlers: [
      {
        name: 'global',
        limit: config.globalRateLimit.limit,
        ttl: config.globalRateLimit.windowSeconds * 1000,
        generateKey: (_context, tracker, name) => `${name}:${tracker}`,
      },
      {
        name: 'send',
        limit: setting('ipSendLimit'),
        ttl: async (context) => (await setting('ipSendWindowSeconds')(context)) * 1000,
        skipIf: (context) => ipLayerOf(context) !== 'send',
        generateKey: perProject,
      },
      {
        name: 'verify',
        limit: setting('ipVerifyLimit'),
        ttl: async (context) => (await setting('ipVerifyWindowSeconds')(context)) * 1000,
        skipIf: (context) => ipLayerOf(context) !== 'verify',
        generateKey: perProject,
      },
    ],
  };
}

/**
 * Rate limits: per client IP on every route and on the send and verify routes (a global guard over
 * @nestjs/throttler), and per recipient, project and login ID (SendLimitsService, called by the use
 * cases so they hold whatever route sends).
 */
@Module({
  imports: [
    ProjectsModule,
    ThrottlerModule.forRootAsync({
      imports: [ProjectsModule],
      inject: [AppConfig, REDIS, ProjectsService],
      useFactory: throttlerOptions,
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }, SendLimitsService],
  exports: [SendLimitsService],
})
export class RateLimitModule {}
