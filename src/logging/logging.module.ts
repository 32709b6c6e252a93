import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { destination } from 'pino';
import type { Options } from 'pino-http';
import type { AppConfig } from '../config/app-config.js';

/**
 * Fields whose value is replaced with "[redacted]" wherever they appear in a logged object, at any
 * depth scrubSecrets walks: codes, tokens, keys and authorization headers never reach the logs, at
 * any level. (Done in the one walk every logged object gets anyway; pino's path-based redaction
 * cost a second walk, with wildcards, per line.)
 */
export const REDACTED_FIELDS = new Set([
  'authorization',
  'cookie',
  'set-cookie',
  'code',
  'sessionJwt',
  'refreshJwt',
  'token',
  'jwt',
  'managementKey',
  'bearerSecret',
  'sealed',
]);

/**
 * Secrets that can hide inside any string (a URL's query, an error message): JWTs, bearer values
 * and management keys. Field paths cannot reach those, so every logged string is scrubbed.
 */
const SECRET_PATTERNS: [RegExp, string][] = [
  [/eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g, '[redacted-jwt]'],
  [/(bearer\s+)[^\s"',]+/gi, '$1[redacted]'],
  [/\bK[A-Za-z0-9_-]{47}\b/g, '[redacted-key]'],
];

/** A copy of a log argument with secret fields censored and secrets inside strings masked. */
export function scrubSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return SECRET_PATTERNS.reduce((s, [pattern, replacement]) => s.replace(pattern, replacement), value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrubSecrets(item, depth + 1));
  if (value instanceof Error) {
    // Keep it an Error, so pino still logs it as one.
    const copy = Object.assign(Object.create(Object.getPrototypeOf(value) as object) as Error, scrubFields(value, depth));
    Object.defineProperty(copy, 'message', { value: scrubSecrets(value.message), enumerable: false });
    Object.defineProperty(copy, 'stack', { value: scrubSecrets(value.stack), enumerable: false });
    return copy;
  }
  return scrubFields(value, depth);
}

function scrubFields(value: object, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = REDACTED_FIELDS.has(key) && item != null ? '[redacted]' : scrubSecrets(item, depth + 1);
  return out;
}

/** pino's number for `info`. */
const INFO = 30;
/** Nest's start-up contexts: modules initialised, routes mapped, "starting", "started". */
const FRAMEWORK_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    const pretty = config.nodeEnv === 'development' && process.stdout.isTTY;
    const options: Options = {
      level: config.logLevel,
      // http-app.ts writes the one line per request (with the request ID) from a Fastify hook.
      autoLogging: false,
      hooks: {
        // Every log call passes here, so this one walk scrubs everything logged.
        logMethod(args, method, level) {
          // Nest's own boot lines (a line per module and per route) bury the useful ones: debug.
          const context = (args[0] as { context?: unknown } | undefined)?.context;
          if (level === INFO && typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context)) {
            if (this.isLevelEnabled('debug')) this.debug(...(args as Parameters<typeof method>));
            return;
          }
          method.apply(this, args.map((arg) => scrubSecrets(arg)) as Parameters<typeof method>);
        },
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    };
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: pretty
            ? { ...options, transport: { target: 'pino-pretty', options: { singleLine: true } } }
            : // Asynchronous: lines logged while a write is in flight leave together in one syscall
              // instead of one blocking write each; pino flushes what is left when the process exits.
              [options, destination({ dest: 1, sync: false })],
        }),
      ],
    };
  }
}
