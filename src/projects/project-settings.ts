import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsUrl, Matches, Max, Min, ValidateBy, ValidateIf, validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { isPhoneChannel, type PhoneChannel } from '../channels/channels.js';

/** A domain name (no scheme, port or path), or the empty string. */
const DOMAIN_OR_EMPTY = /^$|^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * Per-project settings, stored as JSON on the project so that new settings need no migration.
 * Every key has a default; `project update --set key=value` validates against this class.
 */
export class ProjectSettings {
  /** Digits in an OTP code. */
  @IsInt() @Min(4) @Max(10) otpLength = 6;
  /** Seconds a code stays valid. */
  @IsInt() @Min(1) @Max(3600) otpExpirySeconds = 300;
  /** Wrong attempts after which a code is dead for the client (IP) that made them. */
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

  // Abuse limits. Every limit counts in Redis, so it holds across all API processes.
  /** Send requests (sign-up, sign-in, sign-up-or-in) per client IP (IPv6: per /64) per window. */
  @IsInt() @Min(1) @Max(1_000_000) ipSendLimit = 30;
  @IsInt() @Min(1) @Max(86400) ipSendWindowSeconds = 300;
  /** Verify requests per client IP per window. */
  @IsInt() @Min(1) @Max(1_000_000) ipVerifyLimit = 60;
  @IsInt() @Min(1) @Max(86400) ipVerifyWindowSeconds = 300;
  /** Seconds before one recipient (normalised address) can be sent another code, whatever the IP; 0 turns it off. */
  @IsInt() @Min(0) @Max(3600) recipientCooldownSeconds = 30;
  /** Codes sent to one recipient per window from all IPs together: stops bombing one victim from many IPs. */
  @IsInt() @Min(1) @Max(1_000_000) recipientLimit = 10;
  /**
   * Codes sent to one recipient per window from one client IP (IPv6: per /64). Keep it below
   * recipientLimit, so that one IP cannot spend the recipient's cap and keep its owner from signing in.
   */
  @IsInt() @Min(1) @Max(1_000_000) recipientIpLimit = 4;
  @IsInt() @Min(1) @Max(86400) recipientWindowSeconds = 3600;
  /** Messages the project may send per channel per window; beyond it sends fail and an alert is logged. */
  @IsInt() @Min(0) @Max(100_000_000) messageBudgetEmail = 10_000;
  @IsInt() @Min(0) @Max(100_000_000) messageBudgetSms = 1_000;
  @IsInt() @Min(0) @Max(100_000_000) messageBudgetVoice = 500;
  @IsInt() @Min(0) @Max(100_000_000) messageBudgetWhatsapp = 1_000;
  @IsInt() @Min(1) @Max(86400) messageBudgetWindowSeconds = 3600;
  /**
   * Wrong codes per login ID per rolling window, from all clients together, across resends and
   * channels: bounds what any number of IPs can guess (README, "Security model"). Keep it above
   * loginIdIpWrongAttemptLimit, so that one IP cannot spend it and lock the owner out.
   */
  @IsInt() @Min(1) @Max(1_000_000) loginIdWrongAttemptLimit = 40;
  /** Wrong codes per login ID and client IP (IPv6: per /64) per rolling window: stops one guesser without locking out the owner. */
  @IsInt() @Min(1) @Max(1_000_000) loginIdIpWrongAttemptLimit = 10;
  @IsInt() @Min(1) @Max(86400) loginIdAttemptWindowSeconds = 3600;
  /**
   * Anti-enumeration: sign-in of an unknown login ID and sign-up of an existing one answer exactly
   * like success (nothing is sent to the unknown address; the existing user gets a notice), and the
   * verify then fails as a wrong code. Off by default because Descope answers E062107/E062108.
   */
  @IsBoolean() antiEnumeration = false;
  /**
   * Whether a sign-up may use a login ID that is neither an e-mail address nor a phone number (a
   * username), its code going to `user.email` or `user.phone`. A login ID that is an address always
   * signs up with that address, whatever this says (see README, "Sign-up and login IDs").
   */
  @IsBoolean() usernameLoginIds = true;

  // SMS pumping (toll fraud): codes sent to numbers that pay the attacker. Phone channels only.
  /**
   * ISO 3166-1 alpha-2 regions whose numbers may get codes (e.g. `US,GB`). Empty: every region,
   * with a warning in the log, as an open list is what pumping relies on.
   */
  @IsArray()
  @ArrayMaxSize(250)
  @Matches(/^[A-Z]{2}$/, { each: true, message: 'allowedCountries must hold ISO 3166-1 alpha-2 codes in capitals, e.g. US,GB' })
  allowedCountries: string[] = [];
  /**
   * Distinct numbers under one prefix (the E.164 number without its last 4 digits) that may get
   * codes per window, across recipients: pumping walks through a premium range number by number.
   */
  @IsInt() @Min(1) @Max(1_000_000) prefixRecipientLimit = 20;
  @IsInt() @Min(1) @Max(86400) prefixWindowSeconds = 3600;
  /**
   * The web site's domain (e.g. `app.example.com`): when set, SMS codes end with the WebOTP line
   * `@<domain> #<code>` so a browser on that domain can fill the code in. Empty: no such line.
   */
  @Matches(DOMAIN_OR_EMPTY, {
    message: 'webOtpDomain must be a domain name (no scheme, port or path), or empty',
  })
  webOtpDomain = '';
  /**
   * The domain the SDKs give their session cookies (e.g. `example.com`, so that `app.example.com` and
   * `api.example.com` share them): returned as `cookieDomain` in every JWT response. Empty: left out,
   * and the cookies stay on the page's own host.
   */
  @Matches(DOMAIN_OR_EMPTY, {
    message: 'cookieDomain must be a domain name (no scheme, port or path), or empty',
  })
  cookieDomain = '';
  /**
   * Delivery fallback chains, e.g. `whatsapp>sms>voice` (several comma-separated). When a code's
   * delivery fails permanently, the same challenge is sent over the next channel of its chain, to
   * the same phone. Empty: no fallback.
   */
  @ValidateBy({
    name: 'fallbackChains',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parseFallbackChains(value) !== null,
      defaultMessage: () => 'deliveryFallback must be chains like whatsapp>sms>voice (channels sms, voice, whatsapp; each at most once), comma-separated, or empty',
    },
  })
  deliveryFallback = '';
}


/**
 * The chains of a deliveryFallback setting, or null when it is malformed. A channel may appear
 * only once in the whole setting, so every channel has at most one next step and chains never loop.
 */
export function parseFallbackChains(setting: string): PhoneChannel[][] | null {
  if (setting.trim() === '') return [];
  const seen = new Set<string>();
  const chains: PhoneChannel[][] = [];
  for (const chain of setting.split(',')) {
    const steps = chain.split('>').map((step) => step.trim());
    if (steps.length < 2) return null;
    for (const step of steps) {
      if (!isPhoneChannel(step) || seen.has(step)) return null;
      seen.add(step);
    }
    chains.push(steps as PhoneChannel[]);
  }
  return chains;
}

/** The channel a permanently failed delivery over `channel` falls back to, if any. */
export function nextFallbackChannel(setting: string, channel: string): PhoneChannel | undefined {
  for (const chain of parseFallbackChains(setting) ?? []) {
    const at = chain.indexOf(channel as PhoneChannel);
    if (at >= 0) return chain[at + 1];
  }
  return undefined;
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
