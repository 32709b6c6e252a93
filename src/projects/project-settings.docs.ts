import type { SettingsKey } from './project-settings.js';

/**
 * The README's per-project settings table (generated: npm run docs:config), a row per setting or
 * per group of settings read together. Defaults come from ProjectSettings itself; the generator
 * refuses a setting that is in no row, or in two.
 */
export interface SettingsRow {
  keys: SettingsKey[];
  meaning: string;
  /** The default column, when the defaults alone would not say it (an empty list means "all"). */
  defaultText?: string;
}

export const SETTINGS_ROWS: SettingsRow[] = [
  { keys: ['otpLength'], meaning: 'digits per code, 4 to 10' },
  { keys: ['otpExpirySeconds'], meaning: 'lifetime of a code' },
  { keys: ['otpMaxAttempts'], meaning: 'wrong attempts per client IP after which the code is dead for that IP (`E061103`)' },
  { keys: ['sessionTtlSeconds'], meaning: 'session JWT lifetime' },
  { keys: ['refreshTtlSeconds'], meaning: 'refresh JWT lifetime (4 weeks)' },
  { keys: ['ipSendLimit', 'ipSendWindowSeconds'], meaning: 'sign-up / sign-in sends per client IP (IPv6: per /64)' },
  { keys: ['ipVerifyLimit', 'ipVerifyWindowSeconds'], meaning: 'verifies per client IP' },
  { keys: ['recipientCooldownSeconds'], meaning: 'wait between two codes to one address, from any IP (0: off)' },
  { keys: ['recipientLimit', 'recipientWindowSeconds'], meaning: 'codes to one address per rolling window, from all IPs together' },
  { keys: ['recipientIpLimit'], meaning: 'codes to one address per window from one IP (IPv6: /64); keep it below `recipientLimit`' },
  {
    keys: ['messageBudgetEmail', 'messageBudgetSms', 'messageBudgetVoice', 'messageBudgetWhatsapp', 'messageBudgetWindowSeconds'],
    meaning:
      'messages to **new** recipients the project may send per channel per window; beyond it those sends fail and an `"alert":true` error line is logged once per window; a user\'s verified address is not counted',
  },
  {
    keys: ['loginIdWrongAttemptLimit', 'loginIdAttemptWindowSeconds'],
    meaning: 'wrong codes per login ID per rolling window, from all IPs together, across resends and channels',
  },
  { keys: ['loginIdIpWrongAttemptLimit'], meaning: 'wrong codes per login ID and client IP per (the same) window; keep it below `loginIdWrongAttemptLimit`' },
  { keys: ['antiEnumeration'], meaning: 'see below; **recommended on**' },
  {
    keys: ['usernameLoginIds'],
    meaning:
      'sign-up may use a login ID that is no address (a username), its code going to `user.email` / `user.phone`; `false`: login IDs must be e-mail addresses or phone numbers (see "Sign-up and login IDs")',
  },
  { keys: ['allowedCountries'], defaultText: 'empty (all)', meaning: 'ISO 3166-1 alpha-2 regions whose phone numbers may get codes, e.g. `US,CA`' },
  {
    keys: ['prefixRecipientLimit', 'prefixWindowSeconds'],
    meaning: 'distinct phone numbers under one prefix (E.164 without the last 4 digits) that may get codes per rolling window',
  },
  { keys: ['refreshGraceSeconds'], meaning: 'how long a rotated refresh JWT keeps working (two tabs refreshing at once)' },
  { keys: ['webOtpDomain'], meaning: 'domain for the WebOTP last line of SMS codes (`@domain #code`)' },
  {
    keys: ['cookieDomain'],
    meaning:
      'the domain the SDKs set their session cookies on (e.g. `example.com`, shared by `app.` and `api.`), returned as `cookieDomain` in every JWT response; empty: the field is left out and cookies stay on the page\'s host',
  },
  {
    keys: ['deliveryFallback'],
    meaning:
      'fallback chains of phone channels, e.g. `whatsapp>sms>voice` (comma-separated, each channel once): a code whose delivery fails permanently goes out over the next channel, same code and expiry; verify works over each channel it went over',
  },
  { keys: ['corsOrigins'], meaning: 'comma-separated origins (`https://app.example.com`) allowed to call the API for this project' },
  { keys: ['statusWebhookUrl'], meaning: 'receives every delivery state change as a signed POST' },
  { keys: ['statusWebhookSecret'], meaning: 'Standard Webhooks secret, `whsec_` + base64 of 24+ random bytes' },
];
