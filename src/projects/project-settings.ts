import { IsArray, IsInt, IsUrl, Matches, Max, Min, ValidateIf, validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';

/**
 * Per-project settings, stored as JSON on the project so that new settings need no migration.
 * Every key has a default; `project update --set key=value` validates against this class.
 */
export class ProjectSettings {
  /** Digits in an OTP code. */
  @IsInt() @Min(4) @Max(10) otpLength = 6;
  /** Seconds a code stays valid. */
  @IsInt() @Min(1) @Max(3600) otpExpirySeconds = 300;
  /** Wrong attempts after which a code is dead. */
  @IsInt() @Min(1) @Max(20) otpMaxAttempts = 5;
  /**
   * Lifetime of the session JWT, seconds. Values under a minute only make sense for tests (an expired
   * session in seconds); a shorter session is never less safe, only more refresh traffic.
   */
  @IsInt() @Min(1) @Max(86400) sessionTtlSeconds = 600;
  /** Lifetime of the refresh JWT, seconds. */
  @IsInt() @Min(300) @Max(31536000) refreshTtlSeconds = 2419200;
  /** Browser origins (scheme://host[:port]) allowed to call the API for this project, besides CORS_ORIGINS. */
  @IsArray() @Matches(/^https?:\/\/[^/\s]+$/, { each: true, message: 'corsOrigins entries must be origins like https://app.example.com' })
  corsOrigins: string[] = [];
  /** URL that receives every delivery state change, signed with Standard Webhooks; '' for none. */
  @ValidateIf((settings: ProjectSettings) => settings.statusWebhookUrl !== '')
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  statusWebhookUrl = '';
  /** Standard Webhooks signing secret (`whsec_` + base64 of 24+ random bytes). */
  @Matches(/^(whsec_[A-Za-z0-9+/]{32,}={0,2})?$/, { message: 'statusWebhookSecret must be whsec_ followed by base64 of 24+ bytes' })
  statusWebhookSecret = '';
  /**
   * Seconds a rotated refresh JWT keeps working, so that two tabs refreshing at once both succeed.
   * Reuse after this window is treated as theft: the whole session family is revoked.
   */
  @IsInt() @Min(0) @Max(300) refreshGraceSeconds = 10;
  /**
   * The web site's domain (e.g. `app.example.com`): when set, SMS codes end with the WebOTP line
   * `@<domain> #<code>` so a browser on that domain can fill the code in. Empty: no such line.
   */
  @Matches(/^$|^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i, {
    message: 'webOtpDomain must be a domain name (no scheme, port or path), or empty',
  })
  webOtpDomain = '';
}

export type SettingsKey = keyof ProjectSettings;

export function settingsFrom(stored: Partial<ProjectSettings> | null | undefined): ProjectSettings {
  return Object.assign(new ProjectSettings(), stored ?? {});
}

/** Reads a command-line value as the type of the setting's current value; validation rejects the rest. */
function coerce(template: unknown, raw: string): unknown {
  if (typeof template === 'number' && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (typeof template === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  if (Array.isArray(template)) return raw === '' ? [] : raw.split(',').map((item) => item.trim());
  return raw;
}

/** Applies `key=value` assignments; returns the new settings or one message per problem. */
export function applySettings(
  current: ProjectSettings,
  assignments: Record<string, string>,
): { settings?: ProjectSettings; problems: string[] } {
  const known = Object.keys(new ProjectSettings());
  const problems: string[] = [];
  const next: Record<string, unknown> = { ...current };
  for (const [key, raw] of Object.entries(assignments)) {
    if (!known.includes(key)) {
      problems.push(`unknown setting "${key}" (known: ${known.join(', ')})`);
      continue;
    }
    next[key] = coerce((current as unknown as Record<string, unknown>)[key], raw);
  }
  const candidate = plainToInstance(ProjectSettings, next);
  for (const error of validateSync(candidate)) {
    for (const message of Object.values(error.constraints ?? {})) problems.push(`${error.property}=${JSON.stringify(error.value)}: ${message}`);
  }
  return problems.length ? { problems } : { settings: candidate, problems };
}
