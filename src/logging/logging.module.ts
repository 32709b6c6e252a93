import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config.js';

/**
 * Paths pino replaces with "[redacted]" wherever they appear in a log object: codes, tokens, keys
 * and authorization headers never reach the logs, at any level.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'code',
  '*.code',
  'sessionJwt',
  'refreshJwt',
  '*.sessionJwt',
  '*.refreshJwt',
  'managementKey',
  '*.managementKey',
  'sealed',
  '*.sealed',
];

@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    const pretty = config.nodeEnv === 'development' && process.stdout.isTTY;
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            // http-app.ts writes the one line per request (with the request ID) from a Fastify hook.
            autoLogging: false,
            redact: { paths: REDACT_PATHS, censor: '[redacted]' },
            transport: pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
        }),
      ],
    };
  }
}
