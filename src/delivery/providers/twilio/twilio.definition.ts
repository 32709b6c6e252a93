import { twilioStatusCallbackUrl } from '../../twilio-status.route.js';
import { defineProvider } from '../provider-definition.js';

/** Its settings stay in AppConfig: the status callback route checks signatures with the same token. */
export const twilioProvider = defineProvider({
  name: 'twilio',
  // Listed, not derived: TwilioProvider knows how to send these three and no other.
  channels: ['sms', 'voice', 'whatsapp'],
  create: async ({ config }) => new (await import('./twilio.provider.js')).TwilioProvider(config.twilio!, twilioStatusCallbackUrl(config.publicUrl)),
});
