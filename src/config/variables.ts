import { combine, flag, int, oneOf, text, type Values } from './variable.js';

/** Phone providers whose settings are declared here; the others declare theirs in their own folder (ProviderDeclaration). */
export const BUILT_IN_PHONE_PROVIDERS: readonly string[] = ['console', 'twilio', 'webhook'];

const HTTP_URL = /^https?:\/\/.+/;
const E164 = /^\+[1-9]\d{1,14}$/;
const PHONE_PROVIDER = {
  group: 'Phone channels',
  pattern: /^[a-z][a-z0-9-]{0,31}$/,
  message: 'must be the name of a provider',
  defaultText: '`console` (none in production)',
  example: 'console',
} as const;

const SERVER = {
  NODE_ENV: oneOf(['development', 'production', 'test'], {
    group: 'Server',
    default: 'development',
    cli: true,
    description: '`production` requires a strong `OTP_SECRET` (see [Secrets](#secrets)), refuses console providers and serves `/metrics` only with `METRICS_TOKEN`',
  }),
  PORT: int({ group: 'Server', default: 3000, min: 0, max: 65535, description: 'HTTP port of the API' }),
  HOST: text({ group: 'Server', default: '0.0.0.0', description: 'the address the API listens on' }),
  PUBLIC_URL: text({
    group: 'Server',
    pattern: /^https?:\/\/[^?#]+$/,
    message: 'must be an http(s) URL without query or fragment',
    description: 'base URL of this API as the internet reaches it (e.g. `https://otp.example.com`); provider callbacks are built on it',
    details: [
      'When set, Twilio reports message and call outcomes to <PUBLIC_URL>/v1/delivery/twilio/status (signed with',
      'the auth token), which moves delivery records to delivered/failed. Without it, Twilio records stop at `sent`.',
    ],
  }),
  TRUSTED_PROXIES: text({
    group: 'Server',
    pattern: /^\s*[0-9A-Fa-f.:]+(\/\d{1,3})?\s*(,\s*[0-9A-Fa-f.:]+(\/\d{1,3})?\s*)*$/,
    message: 'must be a comma-separated list of IP addresses or CIDR ranges',
    defaultText: '— (none)',
    description: "IPs/CIDRs of reverse proxies whose `X-Forwarded-For` gives the client IP",
    details: ['Rate limits count per client IP. Empty: X-Forwarded-For is ignored and the socket address counts.'],
  }),
  CORS_ORIGINS: text({
    group: 'Server',
    description: 'comma-separated browser origins allowed for every project (each project may add its own `corsOrigins`)',
  }),
  RATE_LIMIT_GLOBAL_PER_IP: int({
    group: 'Server',
    default: 600,
    min: 1,
    description: 'requests per client IP (IPv6: per /64) on every route per window, whatever the project',
  }),
  RATE_LIMIT_GLOBAL_WINDOW_SECONDS: int({ group: 'Server', default: 300, min: 1, max: 86400, description: 'the window of `RATE_LIMIT_GLOBAL_PER_IP`, seconds' }),
};

const DATABASE = {
  DATABASE_URL: text({
    group: 'Database',
    default: 'sqlite:./data/otp.sqlite',
    cli: true,
    pattern: /^(postgres(ql)?:\/\/.+|sqlite:.+)$/,
    message: 'must be a postgres:// URL or sqlite:<path>',
    description: '`postgres://user:pass@host:5432/db` for PostgreSQL, `sqlite:<path>` for the embedded SQLite file',
  }),
  DATABASE_POOL_SIZE: int({
    group: 'Database',
    default: 10,
    min: 2,
    max: 500,
    cli: true,
    description: 'PostgreSQL pool size per process; one of its connections is kept for the user lookup once a process has made one',
  }),
  DATABASE_PREPARED_STATEMENTS: flag({
    group: 'Database',
    default: true,
    cli: true,
    description:
      'the user lookup runs as a named statement that PostgreSQL plans once; `false` behind a pooler in transaction mode that cannot keep named statements (PgBouncer before 1.21), so that it is planned at every run instead',
  }),
  AUDIT_RETENTION_DAYS: int({ group: 'Database', default: 90, min: 1, max: 3650, description: 'audit events older than this are deleted (hourly)' }),
};

const REDIS_ADDRESS = /^rediss?:\/\/.+/;
const REDIS = {
  REDIS_URL: text({
    group: 'Redis',
    pattern: REDIS_ADDRESS,
    message: 'must be a redis:// or rediss:// URL',
    defaultText: '`redis://127.0.0.1:6379`',
    description: 'OTP challenges and the delivery queue; the process exits within seconds if it is unreachable',
    details: [
      'Empty: redis://127.0.0.1:6379; in development npm start then starts a private redis-server (data in',
      './data/redis) when nothing answers there.',
    ],
  }),
  REDIS_DEFAULT_URL: text({
    group: 'Redis',
    default: 'redis://127.0.0.1:6379',
    example: '',
    pattern: REDIS_ADDRESS,
    message: 'must be a redis:// or rediss:// URL',
    description:
      'development only (ignored in production): where `npm start` looks for a Redis when `REDIS_URL` is unset, before starting a private one; the tests set it because 6379 is taken on their machines',
  }),
  REDIS_CLUSTER_NODES: text({
    group: 'Redis',
    pattern: /^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/,
    message: 'must be a comma-separated list of host:port',
    description: '`host:port,…` seed nodes of a Redis Cluster; replaces `REDIS_URL` for every client',
    details: ['When set, every Redis client (OTP store, queue, preflight) is a cluster client. Keys are hash-tagged per slot.'],
  }),
};

const SECRETS = {
  OTP_SECRET: text({
    group: 'Secrets',
    secret: true,
    cli: true,
    minLength: 32,
    defaultText: 'development value, with a warning',
    description: '32+ characters (production: 32+ random bytes, see [Secrets](#secrets)); keys code hashes and sealed data; the same on every process',
    details: [
      'In production it must be 32+ random bytes as base64 (43+ characters) or hex (64+ characters) that look',
      'random: generate it with `openssl rand -base64 48`. Every API and worker must share it (the first process',
      'stores a key check value in Redis at otp:key-check; a process with another secret refuses to start).',
      'Changing it invalidates pending codes and makes stored signing keys unreadable; to change it, stop every',
      'process, delete otp:key-check, and start them with the new one.',
    ],
  }),
};

const EMAIL = {
  EMAIL_PROVIDER: oneOf(['console', 'smtp', 'sink'], {
    group: 'E-mail',
    defaultText: '`console` (`smtp` in production)',
    example: 'console',
    description: '`console` (development: logs the message), `smtp`, or `sink` (benchmarks only: records the message in Redis for a minute and drops it; refused in production)',
  }),
  SINK_DELAY_MS: int({ group: 'E-mail', default: 0, min: 0, max: 60_000, description: "milliseconds the `sink` provider waits per message, standing in for a real provider's latency" }),
  SMTP_URL: text({
    group: 'E-mail',
    pattern: /^smtps?:\/\/.+/,
    message: 'must be an smtp:// or smtps:// URL',
    description: '`smtp://user:pass@host:587` or `smtps://…`, required with `EMAIL_PROVIDER=smtp`',
  }),
  EMAIL_FROM: text({ group: 'E-mail', default: 'OTP Server <no-reply@localhost>', description: 'From header of OTP e-mails' }),
};

const PHONE = {
  SMS_PROVIDER: text({
    ...PHONE_PROVIDER,
    description: 'provider of the sms channel: `console` (development: logs the message), `twilio`, `webhook`, or a provider whose variables are listed in a group of its own below',
    details: ['Unset in production switches the channel off (its routes answer 400); console is refused in production.'],
  }),
  VOICE_PROVIDER: text({ ...PHONE_PROVIDER, description: 'provider of the voice channel, as `SMS_PROVIDER`' }),
  WHATSAPP_PROVIDER: text({ ...PHONE_PROVIDER, description: 'provider of the whatsapp channel, as `SMS_PROVIDER`' }),
};

const TWILIO = {
  TWILIO_ACCOUNT_SID: text({
    group: 'Twilio',
    pattern: /^AC[0-9a-fA-F]{32}$/,
    message: 'must be "AC" followed by 32 hex digits',
    description: 'account SID (`AC…`), required when a `*_PROVIDER` is `twilio`',
  }),
  TWILIO_AUTH_TOKEN: text({
    group: 'Twilio',
    secret: true,
    description: 'auth token, sent as Basic auth and checking the signature of status callbacks; required when a `*_PROVIDER` is `twilio`',
  }),
  TWILIO_FROM: text({
    group: 'Twilio',
    pattern: /^(\+[1-9]\d{1,14}|MG[0-9a-fA-F]{32}|[A-Za-z0-9 ]{1,11})$/,
    message: 'must be an E.164 number, a Messaging Service SID or an alphanumeric sender ID',
    description: 'sender for SMS (E.164 number, `MG…` Messaging Service SID or alphanumeric ID) and caller ID for voice (E.164)',
  }),
  TWILIO_WHATSAPP_FROM: text({
    group: 'Twilio',
    pattern: E164,
    message: 'must be an E.164 number (without the whatsapp: prefix)',
    description: 'WhatsApp sender, E.164 without the `whatsapp:` prefix (required with `WHATSAPP_PROVIDER=twilio`)',
  }),
  TWILIO_API_BASE_URL: text({
    group: 'Twilio',
    default: 'https://api.twilio.com',
    pattern: HTTP_URL,
    message: 'must be an http(s) URL',
    description: 'Twilio REST API base URL; change only to point at a test double',
  }),
};

const WEBHOOK = {
  DELIVERY_WEBHOOK_URL: text({
    group: 'Delivery webhook',
    pattern: HTTP_URL,
    message: 'must be an http(s) URL',
    description: 'the `webhook` provider POSTs every message here as JSON, signed per Standard Webhooks; required when a `*_PROVIDER` is `webhook`',
    details: [
      'Body: {type, channel, to, code, text, locale, projectId, loginId, expiresAt}; headers webhook-id/-timestamp/-signature.',
      'A 2xx answer is a delivery; 408, 429 and 5xx are retried with backoff; any other 4xx fails the message.',
    ],
  }),
  DELIVERY_WEBHOOK_SECRET: text({
    group: 'Delivery webhook',
    secret: true,
    pattern: /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/,
    message: 'must be "whsec_" followed by a base64 secret of 24 bytes or more',
    description: 'Standard Webhooks signing secret: `whsec_` followed by base64 of 24+ random bytes',
  }),
};

const WORKERS = {
  RUN_WORKER: flag({ group: 'Workers', default: false, description: 'also run a delivery worker inside the API process (`npm start` sets it)' }),
  WORKER_CONCURRENCY: int({ group: 'Workers', default: 50, min: 1, max: 1000, description: 'jobs one worker process delivers at once' }),
  DELIVERY_ATTEMPTS: int({ group: 'Workers', default: 6, min: 1, max: 50, description: 'delivery attempts per message before the job is kept as failed' }),
  DELIVERY_BACKOFF_MS: int({ group: 'Workers', default: 1000, min: 1, max: 3_600_000, description: 'the first retry delay of a failed delivery (doubled each time)' }),
  WORKER_HEALTH_PORT: int({ group: 'Workers', min: 1, max: 65535, description: 'a worker serves `/health/live`, `/health/ready` and `/metrics` on this port (unset: none)' }),
};

const OPERATIONS = {
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    group: 'Operations',
    default: 'info',
    cli: true,
    description: 'pino level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`',
  }),
  METRICS_TOKEN: text({
    group: 'Operations',
    secret: true,
    minLength: 16,
    description: '16+ characters; `/metrics` then needs `Authorization: Bearer <token>`; without it, production serves no `/metrics` on the public port',
  }),
  METRICS_PORT: int({
    group: 'Operations',
    min: 1,
    max: 65535,
    description: 'a listener of its own serving only `/metrics`, without a token, on `METRICS_HOST`; keep it off the load balancer',
  }),
  METRICS_HOST: text({ group: 'Operations', default: '127.0.0.1', description: 'the (internal) address of the `METRICS_PORT` listener' }),
  ADMIN_USER: text({ group: 'Operations', description: 'HTTP basic user of the queue dashboard `/admin/queues` (set both, or neither)' }),
  ADMIN_PASSWORD: text({ group: 'Operations', secret: true, minLength: 12, description: 'HTTP basic password of the queue dashboard, 12+ characters' }),
  ADMIN_PROJECT_IDS: text({
    group: 'Operations',
    description: 'operator projects whose management keys (`Bearer pid:key`) may also look at the dashboard (GET only)',
    details: [
      'Pausing, retrying or removing jobs needs ADMIN_USER/ADMIN_PASSWORD. Failed dashboard logins are limited',
      'to 10 per client IP per 15 minutes. With neither credentials nor operator projects the dashboard is not mounted.',
    ],
  }),
};

/**
 * Every environment variable the processes read, in the order of `.env.example` and the README.
 * A module may declare its own in a file of its folder and add its record here.
 */
export const VARIABLES = combine(SERVER, DATABASE, REDIS, SECRETS, EMAIL, PHONE, TWILIO, WEBHOOK, WORKERS, OPERATIONS);

export type EnvironmentValues = Values<typeof VARIABLES>;
