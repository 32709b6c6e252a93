import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { PHONE_PROVIDER_NAMES } from '../delivery/providers/providers.js';

const toBool = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : ['1', 'true', 'yes', 'on'].includes(String(value).toLowerCase())
    ? true
    : ['0', 'false', 'no', 'off'].includes(String(value).toLowerCase())
      ? false
      : value;
const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value)) ? Number(value) : value;
/** Names a phone channel's *_PROVIDER may take; AppConfig then checks that the provider carries that channel. */
export const PHONE_PROVIDERS = PHONE_PROVIDER_NAMES;
export type PhoneProviderName = string;

const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** The environment exactly as the process receives it; every key is documented in .env.example. */
export class EnvironmentVariables {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  @Transform(emptyToUndefined)
  NODE_ENV?: 'development' | 'production' | 'test';

  @IsOptional()
  @Transform(toInt)
  @Min(0)
  @Max(65535)
  @IsInt()
  PORT?: number;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  HOST?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^(postgres(ql)?:\/\/.+|sqlite:.+)$/, {
    message: 'DATABASE_URL must be a postgres:// URL or sqlite:<path>',
  })
  DATABASE_URL?: string;

  @IsOptional()
  @Transform(toInt)
  @Min(1)
  @Max(500)
  @IsInt()
  DATABASE_POOL_SIZE?: number;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /** Development only: the address tried when REDIS_URL is unset, before a private Redis is started. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_DEFAULT_URL must be a redis:// or rediss:// URL' })
  REDIS_DEFAULT_URL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, { message: 'REDIS_CLUSTER_NODES must be a comma-separated list of host:port' })
  REDIS_CLUSTER_NODES?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @MinLength(32, { message: 'OTP_SECRET must be at least 32 characters' })
  @IsString()
  OTP_SECRET?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(['console', 'smtp', 'sink'])
  EMAIL_PROVIDER?: 'console' | 'smtp' | 'sink';

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60_000)
  SINK_DELAY_MS?: number;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^smtps?:\/\/.+/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  EMAIL_FROM?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(PHONE_PROVIDERS)
  SMS_PROVIDER?: PhoneProviderName;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(PHONE_PROVIDERS)
  VOICE_PROVIDER?: PhoneProviderName;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(PHONE_PROVIDERS)
  WHATSAPP_PROVIDER?: PhoneProviderName;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^AC[0-9a-fA-F]{32}$/, { message: 'TWILIO_ACCOUNT_SID must be "AC" followed by 32 hex digits' })
  TWILIO_ACCOUNT_SID?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  TWILIO_AUTH_TOKEN?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^(\+[1-9]\d{1,14}|MG[0-9a-fA-F]{32}|[A-Za-z0-9 ]{1,11})$/, {
    message: 'TWILIO_FROM must be an E.164 number, a Messaging Service SID or an alphanumeric sender ID',
  })
  TWILIO_FROM?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^\+[1-9]\d{1,14}$/, { message: 'TWILIO_WHATSAPP_FROM must be an E.164 number (without the whatsapp: prefix)' })
  TWILIO_WHATSAPP_FROM?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^https?:\/\/.+/, { message: 'TWILIO_API_BASE_URL must be an http(s) URL' })
  TWILIO_API_BASE_URL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^https?:\/\/[^?#]+$/, { message: 'PUBLIC_URL must be an http(s) URL without query or fragment' })
  PUBLIC_URL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^https?:\/\/.+/, { message: 'DELIVERY_WEBHOOK_URL must be an http(s) URL' })
  DELIVERY_WEBHOOK_URL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/, { message: 'DELIVERY_WEBHOOK_SECRET must be "whsec_" followed by a base64 secret of 24 bytes or more' })
  DELIVERY_WEBHOOK_SECRET?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;

  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  RUN_WORKER?: boolean;

  @IsOptional()
  @Transform(toInt)
  @Min(1)
  @Max(1000)
  @IsInt()
  WORKER_CONCURRENCY?: number;

  /** Comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For is believed; empty: none. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^\s*[0-9A-Fa-f.:]+(\/\d{1,3})?\s*(,\s*[0-9A-Fa-f.:]+(\/\d{1,3})?\s*)*$/, {
    message: 'TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDR ranges',
  })
  TRUSTED_PROXIES?: string;

  /** Requests per client IP per window on every route, whatever the project (default 600). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_GLOBAL_PER_IP?: number;
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  WORKER_HEALTH_PORT?: number;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;

  /** A separate listener for /metrics only, on METRICS_HOST (default 127.0.0.1), needing no token. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  METRICS_PORT?: number;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  METRICS_HOST?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  ADMIN_USER?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(12, { message: 'ADMIN_PASSWORD must be at least 12 characters' })
  ADMIN_PASSWORD?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  ADMIN_PROJECT_IDS?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  CORS_ORIGINS?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  RATE_LIMIT_GLOBAL_WINDOW_SECONDS?: number;

  /** Delivery attempts per message before the job is kept as failed (default 6). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50)
  DELIVERY_ATTEMPTS?: number;

  /** First retry delay of a failed delivery, doubled on each attempt (default 1000 ms). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3_600_000)
  DELIVERY_BACKOFF_MS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  AUDIT_RETENTION_DAYS?: number;
}

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((e) => {
    const value = ['OTP_SECRET', 'METRICS_TOKEN', 'ADMIN_PASSWORD', 'TWILIO_AUTH_TOKEN', 'DELIVERY_WEBHOOK_SECRET'].includes(e.property) ? '<hidden>' : JSON.stringify(e.value);
    return Object.values(e.constraints ?? {}).map((msg) => `${e.property}=${value}: ${msg}`);
  });
}

/** Returns the parsed variables, or the list of problems, one line each. */
export function parseEnvironment(env: NodeJS.ProcessEnv): { value?: EnvironmentVariables; problems: string[] } {
  const instance = plainToInstance(EnvironmentVariables, { ...env }, { exposeDefaultValues: true });
  const problems = describe(validateSync(instance, { skipMissingProperties: false, stopAtFirstError: true }));
  return problems.length ? { problems } : { value: instance, problems };
}
