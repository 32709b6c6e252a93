import { text } from '../../../config/variable.js';
import type { ProviderSettingsResult } from '../../../config/provider-declaration.js';
import { defineProvider } from '../provider-definition.js';
import type { VonageSettings } from './vonage.provider.js';

const GROUP = 'Vonage (SMS)';

/** Declared here, next to the provider: validated at boot and listed in `.env.example` and the README like every variable. */
export const VONAGE_VARIABLES = {
  VONAGE_API_KEY: text({ group: GROUP, pattern: /^\S+$/, message: 'must not contain spaces', description: 'API key, required when `SMS_PROVIDER=vonage`' }),
  VONAGE_API_SECRET: text({ group: GROUP, secret: true, description: 'API secret, required when `SMS_PROVIDER=vonage`' }),
  VONAGE_FROM: text({
    group: GROUP,
    pattern: /^(\+?[1-9]\d{1,14}|[A-Za-z0-9 ]{1,11})$/,
    message: 'must be an E.164 number or an alphanumeric sender ID of up to 11 characters',
    description: 'sender: an E.164 number or an alphanumeric sender ID (up to 11 characters), required when `SMS_PROVIDER=vonage`',
  }),
  VONAGE_API_BASE_URL: text({
    group: GROUP,
    default: 'https://rest.nexmo.com',
    pattern: /^https?:\/\/[^?#\s]+$/,
    message: 'must be an http(s) URL',
    description: "base URL of Vonage's SMS API (a local fake in tests)",
  }),
};

/** Builds the settings once SMS_PROVIDER=vonage; problems name the variable and never quote the secret. */
export function vonageSettings(values: Readonly<Record<string, unknown>>): ProviderSettingsResult<VonageSettings> {
  const read = (name: keyof typeof VONAGE_VARIABLES) => (values[name] as string | undefined)?.trim() || undefined;
  const [apiKey, apiSecret, from] = [read('VONAGE_API_KEY'), read('VONAGE_API_SECRET'), read('VONAGE_FROM')];
  const problems = (['VONAGE_API_KEY', 'VONAGE_API_SECRET', 'VONAGE_FROM'] as const)
    .filter((name) => !read(name))
    .map((name) => `${name}: required when SMS_PROVIDER=vonage`);
  if (problems.length) return { problems };
  return { settings: { apiKey: apiKey!, apiSecret: apiSecret!, from: from!, apiBaseUrl: read('VONAGE_API_BASE_URL')!.replace(/\/+$/, '') } };
}

export const vonageProvider = defineProvider<VonageSettings>({
  name: 'vonage',
  channels: ['sms'],
  variables: VONAGE_VARIABLES,
  settings: vonageSettings,
  create: async ({ settings }) => new (await import('./vonage.provider.js')).VonageProvider(settings),
});
