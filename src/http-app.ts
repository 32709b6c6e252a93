import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { getQueueToken } from '@nestjs/bullmq';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Queue } from 'bullmq';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { mountQueueDashboard } from './admin/queue-dashboard.js';
import { AppModule } from './app.module.js';
import { DomainError } from './common/errors/domain-error.js';
import { mapError } from './common/http/error-body.js';
import { findForbiddenCharacter, jsonTooDeep, MAX_JSON_DEPTH } from './common/http/input-guard.js';
import { addRequestExamples } from './common/http/openapi-examples.js';
import { createValidationPipe } from './common/http/validation.js';
import type { AppConfig } from './config/app-config.js';
import { corsOptionsDelegate } from './cors/cors-policy.js';
import { MetricsService } from './metrics/metrics.service.js';
import { ProjectsService } from './projects/projects.service.js';
import { DELIVERY_QUEUE } from './queue/queue-names.js';
import type { RedisClient } from './redis/redis-client.js';
import { REDIS } from './redis/redis.module.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Builds the HTTP application (not yet listening): Fastify, validation, error bodies, Swagger. */
export async function createHttpApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: 64 * 1024,
    // Errors Fastify raises before routing (a malformed URL, an over-long path parameter) get the
    // same error body as everything else.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const mapped = mapError(error);
      void reply.status(mapped.status).send(mapped.body);
    },
    // X-Forwarded-For is believed only from the listed proxies; otherwise anyone could pick their rate-limit key.
    trustProxy: config.trustedProxies.length ? config.trustedProxies : false,
    // A caller's X-Request-Id is kept when well-formed, so one ID follows a request through the logs.
    genReqId: (raw: IncomingMessage) => {
      const header = raw.headers['x-request-id'];
      const id = typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
      (raw as { id?: string }).id = id;
      return id;
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  app.useGlobalPipes(createValidationPipe());

  const fastify = app.getHttpAdapter().getInstance();
  const metrics = app.get(MetricsService);
  const requestLog = new NestLogger('HTTP');
  fastify.addHook('onResponse', (request, reply, done) => {
    // The route pattern, not the URL, so label values stay few; unmatched paths share one label.
    metrics.observeHttp(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    // One line per request, written here because Nest middleware (pino-http's hook) does not run
    // for every Fastify route; the query string stays out of the logs.
    const line = {
      msg: 'request completed',
      req: { id: String(request.id), method: request.method, url: request.url.split('?')[0] },
      statusCode: reply.statusCode,
      responseTime: Math.round(reply.elapsedTime),
    };
    if (reply.statusCode >= 500) requestLog.error(line);
    else requestLog.log(line);
    done();
  });
  const projects = app.get(ProjectsService, { strict: false });
  app.enableCors({ delegator: corsOptionsDelegate(config, projects) });
  await mountQueueDashboard(fastify, config, projects, [app.get<Queue>(getQueueToken(DELIVERY_QUEUE), { strict: false })], app.get<RedisClient>(REDIS, { strict: false }));

  // The SDKs send refresh and logout with `Content-Type: application/json` and no body: that is {}.
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, {});
    if (jsonTooDeep(text)) {
      const error = new Error(`The request body nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels`) as FastifyError;
      error.statusCode = 400;
      return done(error, undefined);
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      const error = new Error('Request body is not valid JSON') as FastifyError;
      error.code = 'FST_ERR_CTP_INVALID_JSON_BODY';
      error.statusCode = 400;
      done(error, undefined);
    }
  });

  // No field takes a control character or a lone surrogate; refused here, once for every route, body, query and path,
  // before any DTO transform (a NUL would otherwise reach PostgreSQL as a 500).
  fastify.addHook('preValidation', async (request, reply) => {
    for (const part of [request.params, request.query, request.body]) {
      const path = findForbiddenCharacter(part);
      if (path === null) continue;
      const mapped = mapError(new DomainError('INVALID_REQUEST', `${path} must not contain control characters or unpaired surrogates`));
      return reply.status(mapped.status).send(mapped.body);
    }
  });

  // Graceful shutdown: once closing, answers to requests in flight close their connection, or an
  // idle keep-alive connection would hold the process for the keep-alive timeout (72 s).
  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
  });
  fastify.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  // Twilio's status callbacks are form posts. Repeated names keep their last value: Twilio sends none.
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  setUpSwagger(app);
  return app;
}

function setUpSwagger(app: NestFastifyApplication): void {
  // Swagger UI renders these descriptions as Markdown, which drops anything in angle brackets:
  // plain words, and backticks around examples.
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Open OTP Server')
      .setDescription(
        "One-time-password sign-up, sign-in and sessions, speaking Descope's REST API. Create a project with " +
          '`node dist/cli.js project create --name "My App"`, press Authorize and paste its projectId under ProjectId. ' +
          'Then try sign-up, verify (with the code you received) and, authorized with the refresh JWT, the session routes.',
      )
      .setVersion('0.1.0')
      .addBearerAuth(
        {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'projectId',
          description: 'For sign-up, sign-in and verify: paste your project ID alone, as printed by `project create`, e.g. `P2abcDEF...`.',
        },
        'ProjectId',
      )
      .addBearerAuth(
        {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'projectId:refreshJwt',
          description:
            'For refresh, logout, me and the update routes: paste your project ID, a colon, then the refreshJwt from a verify answer, ' +
            'with no spaces, e.g. `P2abcDEF...:eyJhbGciOi...`.',
        },
        'RefreshJwt',
      )
      .addBearerAuth(
        {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'projectId:managementKey',
          description:
            'For the management routes (/v1/mgmt): paste your project ID, a colon, then a management key, as printed by ' +
            '`project create` or `keys create`, e.g. `P2abcDEF...:K7xyz...`.',
        },
        'ManagementKey',
      )
      .build(),
  );
  SwaggerModule.setup('docs', app, addRequestExamples(document), { jsonDocumentUrl: 'docs/json', swaggerOptions: { persistAuthorization: true } });
}
