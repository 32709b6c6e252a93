import { defineProvider } from '../provider-definition.js';

export const smtpProvider = defineProvider({
  name: 'smtp',
  channels: ['email'],
  create: async ({ config }) => new (await import('./smtp.provider.js')).SmtpProvider(config.email.smtpUrl!, config.email.from),
});
