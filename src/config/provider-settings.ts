import { CHANNEL, PHONE_CHANNELS, type PhoneChannel } from '../channels/channels.js';
import type { PhoneProviderSetting } from './app-config.js';
import { parseVariables } from './variable.js';
import type { ProviderDeclaration } from './provider-declaration.js';
import { BUILT_IN_PHONE_PROVIDERS, type EnvironmentValues } from './variables.js';

/** What the servers need to deliver messages and guard the dashboard (the CLI needs none of it). */
export function providerProblems(
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
export function ownProviderSettings(
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
    // Variable by variable, so that a malformed value and a missing one are reported in one go.
    const values: Record<string, unknown> = {};
    const malformed = new Set<string>();
    for (const [variable, declaration] of Object.entries(definition.variables ?? {})) {
      const one = parseVariables({ [variable]: declaration }, env);
      if (one.value) Object.assign(values, one.value);
      else {
        malformed.add(variable);
        problems.push(...one.problems);
      }
    }
    const result = definition.settings(values, production);
    if (result.problems) problems.push(...result.problems.filter((problem) => !malformed.has(problem.slice(0, problem.search(/[=:]/)))));
    else if (!malformed.size) settings[name] = result.settings;
  }
  return settings;
}
