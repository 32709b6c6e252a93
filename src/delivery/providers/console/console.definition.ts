import { CHANNELS } from '../../../channels/channels.js';
import { defineProvider } from '../provider-definition.js';

export const consoleProvider = defineProvider({
  name: 'console',
  channels: CHANNELS,
  create: async () => new (await import('./console.provider.js')).ConsoleProvider(),
});
