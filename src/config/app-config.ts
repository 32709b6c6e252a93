import type { PhoneChannel } from '../channels/channels.js';
import type { ProviderDeclaration } from './provider-declaration.js';
import { ownProviderSettings, providerProblems } from './provider-settings.js';
import { weakSecretReason } from './secret-strength.js';
import { parseVariables } from './variable.js';
import { type EnvironmentValues, VARIABLES } from './variables.js';

/** `none`: the channel is off (production without a provider); its send routes answer 400. */
export type PhoneProviderSetting = string;

export type DatabaseConfig =
  | { type: 'postgres'; url: string; poolSize: number; preparedStatements: boolean }
  | { type: 'better-sqlite3'; path: string };

export type LogLevel = EnvironmentValues['LOG_LEVEL'];

/** Twilio credentials and endpoints, as the Twilio provider takes them. */
export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  from?: string;
  whatsappFrom?: string;
  /** https://api.twilio.com, or a local fake in tests. */
  apiBaseUrl: string;
}

const DEV_SECRET = 'development-only-otp-secret-do-not-use-in-production';

/**
 * Typed, validated configuration. Built once at boot from the environment; feature code injects
 * this class and never reads process.env.
 */
export class AppConfig {
  readonly nodeEnv!: 'development' | 'production' | 'test';
  readonly port!: number;
  readonly host!: string;
  readonly database!: DatabaseConfig;
  readonly redisUrl!: string;
  /**
   * Development with neither REDIS_URL nor REDIS_CLUSTER_NODES: when nothing answers at redisUrl
   * (the default address), the API starts a private Redis of its own instead of exiting.
   */
  readonly mayStartPrivateRedis!: boolean;
  /** Seed nodes of a Redis Cluster; when set, every Redis client is a cluster client and redisUrl is unused. */
  readonly redisClusterNodes?: { host: string; port: number }[];
  readonly otpSecret!: string;
  /** True when OTP_SECRET was not set and the public development secret is in use. */
  readonly usingDevelopmentSecret!: boolean;
  readonly email!: { provider: 'console' | 'smtp' | 'sink'; smtpUrl?: string; from: string; sinkDelayMs: number };
  readonly phoneProviders!: Readonly<Record<PhoneChannel, PhoneProviderSetting>>;
  /** Where the outside world reaches this API (e.g. https://otp.example.com); provider callbacks are built on it. */
  readonly publicUrl!: string | null;
  readonly twilio?: TwilioSettings;
  readonly deliveryWebhook?: { url: string; secret: string };
  /** What each provider in use read from its own variables (ProviderDefinition.settings), by provider name. */
  readonly providerSettings!: Readonly<Record<string, unknown>>;
  readonly logLevel!: LogLevel;
  readonly runWorker!: boolean;
  readonly workerConcurrency!: number;
  /** Proxies whose X-Forwarded-For is trusted (Fastify trustProxy); empty: the socket address is the client. */
  readonly trustedProxies!: string[];
  readonly globalRateLimit!: { limit: number; windowSeconds: number };
  readonly delivery!: { attempts: number; backoffMs: number };
  /** Port of the worker's own /health and /metrics listener; none when unset. */
  readonly workerHealthPort!: number | null;
  /** When set, GET /metrics needs `Authorization: Bearer <token>`; in production without it, the public port serves no metrics. */
  readonly metricsToken!: string | null;
  /** A listener serving only /metrics, without a token, meant for an internal address; none when unset. */
  readonly metricsListener!: { port: number; host: string } | null;
  /** HTTP basic credentials of the queue dashboard; with no credentials and no operator projects it is off. */
  readonly admin!: { user: string | null; password: string | null; operatorProjectIds: string[] };
  /** Origins allowed for every project, besides each project's own `corsOrigins` setting. */
  readonly corsOrigins!: string[];
  readonly auditRetentionDays!: number;

  /** The same configuration with another Redis (the private one the API started). */
  withRedisUrl(redisUrl: string): AppConfig {
    return Object.assign(Object.create(AppConfig.prototype) as AppConfig, this, { redisUrl, mayStartPrivateRedis: false });
  }

  get isProduction(): boolean {
    return this.nodeEnv === 'production';
  }

  /** Parses and checks the environment; throws ConfigError listing every problem, one per line. */
  static fromEnvironment(env: NodeJS.ProcessEnv, purpose: 'server' | 'cli' = 'server', providers: readonly ProviderDeclaration[] = []): AppConfig {
    // The CLI touches only the database and sealed signing keys: it must not need the SMTP or
    // Twilio settings of the servers, so it validates only what it uses.
    const { value, problems } = parseVariables(VARIABLES, purpose === 'cli' ? pick(env, CLI_VARIABLES) : env);
    if (!value) throw new ConfigError(problems);
    const nodeEnv = value.NODE_ENV;
    const production = nodeEnv === 'production';
    const emailProvider = value.EMAIL_PROVIDER ?? (production && purpose === 'server' ? 'smtp' : 'console');

    // Phone channels are optional: in production an unset provider switches the channel off
    // rather than forcing every e-mail-only deployment to configure Twilio.
    const phoneProviders = {
      sms: value.SMS_PROVIDER ?? (production ? 'none' : 'console'),
      voice: value.VOICE_PROVIDER ?? (production ? 'none' : 'console'),
      whatsapp: value.WHATSAPP_PROVIDER ?? (production ? 'none' : 'console'),
    } satisfies Record<PhoneChannel, PhoneProviderSetting>;
    const publicUrl = value.PUBLIC_URL?.replace(/\/+$/, '') ?? null;
    const uses = (name: string) => Object.values(phoneProviders).includes(name);

    if (production && !value.OTP_SECRET) problems.push('OTP_SECRET: required when NODE_ENV=production');
    const weakness = production && value.OTP_SECRET ? weakSecretReason(value.OTP_SECRET) : null;
    if (weakness) problems.push(`OTP_SECRET: refused when NODE_ENV=production: it ${weakness}`);
    if (purpose === 'server') problems.push(...providerProblems(value, production, emailProvider, phoneProviders));
    const providerSettings = purpose === 'server' ? ownProviderSettings(env, production, phoneProviders, providers, problems) : {};
    if (problems.length) throw new ConfigError(problems);

    const dbUrl = value.DATABASE_URL;
    const database: DatabaseConfig = dbUrl.startsWith('sqlite:')
      ? { type: 'better-sqlite3', path: dbUrl.slice('sqlite:'.length) }
      : { type: 'postgres', url: dbUrl, poolSize: value.DATABASE_POOL_SIZE, preparedStatements: value.DATABASE_PREPARED_STATEMENTS };

    return Object.assign(Object.create(AppConfig.prototype) as AppConfig, {
      nodeEnv,
      port: value.PORT,
      host: value.HOST,
      database,
      // REDIS_DEFAULT_URL moves the development default (tests run where 6379 is taken); production
      // ignores it, so a deployment always names its Redis or uses the documented default.
      redisUrl: value.REDIS_URL ?? (production ? VARIABLES.REDIS_DEFAULT_URL.default : value.REDIS_DEFAULT_URL),
      mayStartPrivateRedis: !production && !value.REDIS_URL && !value.REDIS_CLUSTER_NODES,
      redisClusterNodes: value.REDIS_CLUSTER_NODES?.split(',').map((node) => {
        const colon = node.lastIndexOf(':');
        return { host: node.slice(0, colon), port: Number(node.slice(colon + 1)) };
      }),
      otpSecret: value.OTP_SECRET ?? DEV_SECRET,
      usingDevelopmentSecret: !value.OTP_SECRET,
      email: {
        provider: emailProvider,
        smtpUrl: value.SMTP_URL,
        from: value.EMAIL_FROM,
        sinkDelayMs: value.SINK_DELAY_MS,
      },
      phoneProviders,
      publicUrl,
      twilio: uses('twilio')
        ? {
            accountSid: value.TWILIO_ACCOUNT_SID!,
            authToken: value.TWILIO_AUTH_TOKEN!,
            from: value.TWILIO_FROM,
            whatsappFrom: value.TWILIO_WHATSAPP_FROM,
            apiBaseUrl: value.TWILIO_API_BASE_URL.replace(/\/+$/, ''),
          }
        : undefined,
      deliveryWebhook: uses('webhook') ? { url: value.DELIVERY_WEBHOOK_URL!, secret: value.DELIVERY_WEBHOOK_SECRET! } : undefined,
      providerSettings,
      logLevel: value.LOG_LEVEL,
      runWorker: value.RUN_WORKER,
      workerConcurrency: value.WORKER_CONCURRENCY,
      trustedProxies: list(value.TRUSTED_PROXIES),
      globalRateLimit: { limit: value.RATE_LIMIT_GLOBAL_PER_IP, windowSeconds: value.RATE_LIMIT_GLOBAL_WINDOW_SECONDS },
      delivery: { attempts: value.DELIVERY_ATTEMPTS, backoffMs: value.DELIVERY_BACKOFF_MS },
      workerHealthPort: value.WORKER_HEALTH_PORT ?? null,
      metricsToken: value.METRICS_TOKEN ?? null,
      metricsListener: value.METRICS_PORT ? { port: value.METRICS_PORT, host: value.METRICS_HOST } : null,
      admin: { user: value.ADMIN_USER ?? null, password: value.ADMIN_PASSWORD ?? null, operatorProjectIds: list(value.ADMIN_PROJECT_IDS) },
      corsOrigins: list(value.CORS_ORIGINS),
      auditRetentionDays: value.AUDIT_RETENTION_DAYS,
    });
  }
}

/** The variables the CLI reads (declared `cli`): the database, the secret that seals signing keys, logging. */
const CLI_VARIABLES = Object.entries(VARIABLES as Record<string, { cli?: boolean }>).filter(([, variable]) => variable.cli).map(([name]) => name);

function pick(env: NodeJS.ProcessEnv, names: string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(names.filter((name) => env[name] !== undefined).map((name) => [name, env[name]]));
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}
