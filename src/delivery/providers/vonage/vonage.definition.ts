import { defineProvider, type ProviderEnvironment, type ProviderSettingsResult } from '../provider-definition.js';
import type { VonageSettings } from './vonage.provider.js';

const DEFAULT_API_BASE_URL = 'https://rest.nexmo.com';

/**
 * VONAGE_API_KEY, VONAGE_API_SECRET, VONAGE_FROM and VONAGE_API_BASE_URL, read when SMS_PROVIDER=vonage.
 * Problems name the variable and never quote the secret.
 */
export function vonageSettings(env: ProviderEnvironment): ProviderSettingsResult<VonageSettings> {
  const read = (name: string) => env[name]?.trim() || undefined;
  const apiKey = read('VONAGE_API_KEY');
  const apiSecret = read('VONAGE_API_SECRET');
  const from = read('VONAGE_FROM');
  const apiBaseUrl = read('VONAGE_API_BASE_URL') ?? DEFAULT_API_BASE_URL;
  const problems: string[] = [];
  if (!apiKey) problems.push('VONAGE_API_KEY: required when SMS_PROVIDER=vonage');
  else if (/\s/.test(apiKey)) problems.push(`VONAGE_API_KEY=${JSON.stringify(apiKey)}: must not contain spaces`);
  if (!apiSecret) problems.push('VONAGE_API_SECRET: required when SMS_PROVIDER=vonage');
  if (!from) problems.push('VONAGE_FROM: required when SMS_PROVIDER=vonage');
  else if (!/^(\+?[1-9]\d{1,14}|[A-Za-z0-9 ]{1,11})$/.test(from)) {
    problems.push(`VONAGE_FROM=${JSON.stringify(from)}: must be an E.164 number or an alphanumeric sender ID of up to 11 characters`);
  }
  if (!/^https?:\/\/[^?#\s]+$/.test(apiBaseUrl)) problems.push(`VONAGE_API_BASE_URL=${JSON.stringify(apiBaseUrl)}: must be an http(s) URL`);
  if (problems.length) return { problems };
  return { settings: { apiKey: apiKey!, apiSecret: apiSecret!, from: from!, apiBaseUrl: apiBaseUrl.replace(/\/+$/, '') } };
}

export const vonageProvider = defineProvider<VonageSettings>({
  name: 'vonage',
  channels: ['sms'],
  settings: vonageSettings,
  create: async ({ settings }) => new (await import('./vonage.provider.js')).VonageProvider(settings),
});
