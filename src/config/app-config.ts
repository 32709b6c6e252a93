import { CHANNEL, PHONE_CHANNELS, type PhoneChannel } from '../channels/channels.js';
import type { ProviderDeclaration } from './provider-declaration.js';
import { weakSecretReason } from './secret-strength.js';
import { parseVariables } from './variable.js';
import { BUILT_IN_PHONE_PROVIDERS, type EnvironmentValues, VARIABLES } from './variables.js';

/** `none`: the channel is off (production without a provider); its send routes answer 400. */
export type PhoneProviderSetting = string;

export type DatabaseConfig =
  | { type: 'postgres'; url: string; poolSize: number }
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
      : { type: 'postgres', url: dbUrl, poolSize: value.DATABASE_POOL_SIZE };

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

/** What the servers need to deliver messages and guard the dashboard (the CLI needs none of it). */
function providerProblems(
  value: EnvironmentValues,
  production: boolean,
  emailProvider: string,
  phoneProviders: Record<PhoneChannel, PhoneProviderSetting>,
): string[] {
  const problems: string[] = [];
  if (production && emailProvider === 'console') {
    problems.push('EMAIL_PROVIDER=console: refused when NODE_ENV=production (it logs messages instead of sending them)');
  }
  if (production && emailProvider === 'sink') {
    problems.push('EMAIL_PROVIDER=sink: refused when NODE_ENV=production (it drops messages and keeps them readable in Redis)');
  }
  if (emailProvider === 'smtp' && !value.SMTP_URL) problems.push('SMTP_URL: required when EMAIL_PROVIDER=smtp');
  if (!value.ADMIN_USER !== !value.ADMIN_PASSWORD) problems.push('ADMIN_USER and ADMIN_PASSWORD: set both or neither');
  for (const [channel, provider] of Object.entries(phoneProviders)) {
    const variable = `${channel.toUpperCase()}_PROVIDER`;
    if (production && provider === 'console') problems.push(`${variable}=console: refused when NODE_ENV=production (it logs messages instead of sending them)`);
  }
  const uses = (name: string) => Object.values(phoneProviders).includes(name);
  if (uses('twilio')) {
    if (!value.TWILIO_ACCOUNT_SID) problems.push('TWILIO_ACCOUNT_SID: required when a *_PROVIDER is twilio');
    if (!value.TWILIO_AUTH_TOKEN) problems.push('TWILIO_AUTH_TOKEN: required when a *_PROVIDER is twilio');
    if ((phoneProviders.sms === 'twilio' || phoneProviders.voice === 'twilio') && !value.TWILIO_FROM) {
      problems.push('TWILIO_FROM: required when SMS_PROVIDER or VOICE_PROVIDER is twilio');
    }
    if (phoneProviders.voice === 'twilio' && value.TWILIO_FROM && !value.TWILIO_FROM.startsWith('+')) {
      problems.push('TWILIO_FROM: must be an E.164 number when VOICE_PROVIDER=twilio (calls need a caller ID)');
    }
    if (phoneProviders.whatsapp === 'twilio' && !value.TWILIO_WHATSAPP_FROM) problems.push('TWILIO_WHATSAPP_FROM: required when WHATSAPP_PROVIDER=twilio');
  }
  if (uses('webhook')) {
    if (!value.DELIVERY_WEBHOOK_URL) problems.push('DELIVERY_WEBHOOK_URL: required when a *_PROVIDER is webhook');
    if (!value.DELIVERY_WEBHOOK_SECRET) problems.push('DELIVERY_WEBHOOK_SECRET: required when a *_PROVIDER is webhook');
  }
  return problems;
}

/**
 * Each phone provider in use must carry the channel that picks it, and reads its own variables
 * (ProviderDefinition.settings); their problems join the others.
 */
function ownProviderSettings(
  env: NodeJS.ProcessEnv,
  production: boolean,
  phoneProviders: Record<PhoneChannel, PhoneProviderSetting>,
  providers: readonly ProviderDeclaration[],
  problems: string[],
): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  const read = new Set<string>();
  for (const [channel, name] of Object.entries(phoneProviders) as [PhoneChannel, PhoneProviderSetting][]) {
    if (name === 'none' || BUILT_IN_PHONE_PROVIDERS.includes(name)) continue;
    const definition = providers.find((provider) => provider.name === name);
    if (!definition) {
      const names = [...BUILT_IN_PHONE_PROVIDERS, ...providers.filter((p) => p.channels.some((c) => PHONE_CHANNELS.includes(c as PhoneChannel))).map((p) => p.name)];
      problems.push(`${CHANNEL[channel].providerVariable}=${JSON.stringify(name)}: must be one of the following values: ${[...new Set(names)].join(', ')}`);
      continue;
    }
    if (!definition.channels.includes(channel)) {
      problems.push(`${CHANNEL[channel].providerVariable}=${name}: ${name} does not carry ${channel} (it carries ${definition.channels.join(', ')})`);
    }
    if (!definition.settings || read.has(name)) continue;
    read.add(name);
    const own = parseVariables(definition.variables ?? {}, env);
    if (!own.value) {
      problems.push(...own.problems);
      continue;
    }
    const result = definition.settings(own.value, production);
    if (result.problems) problems.push(...result.problems);
    else settings[name] = result.settings;
  }
  return settings;
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
