import { PHONE_CHANNELS } from '../../../channels/channels.js';
import { defineProvider } from '../provider-definition.js';

export const webhookProvider = defineProvider({
  name: 'webhook',
  channels: PHONE_CHANNELS,
  create: async ({ config }) => new (await import('./webhook.provider.js')).WebhookProvider(config.deliveryWebhook!.url, config.deliveryWebhook!.secret),
});
