import { isPhoneChannel } from '../../channels/channels.js';
import { consoleProvider } from './console/console.definition.js';
import type { ProviderDefinition } from './provider-definition.js';
import { sinkProvider } from './sink/sink.definition.js';
import { smtpProvider } from './smtp/smtp.definition.js';
import { twilioProvider } from './twilio/twilio.definition.js';
import { vonageProvider } from './vonage/vonage.definition.js';
import { webhookProvider } from './webhook/webhook.definition.js';

/** Every provider. A new one is a folder exporting its definition, and a line here. */
export const PROVIDERS: readonly ProviderDefinition<unknown>[] = [
  consoleProvider,
  sinkProvider,
  smtpProvider,
  twilioProvider,
  webhookProvider,
  vonageProvider,
];

/** The values a phone channel's *_PROVIDER variable may take (besides unset). */
export const PHONE_PROVIDER_NAMES = PROVIDERS.filter((provider) => provider.channels.some(isPhoneChannel)).map((provider) => provider.name);

export function providerNamed(name: string): ProviderDefinition<unknown> | undefined {
  return PROVIDERS.find((provider) => provider.name === name);
}
