import { defineProvider } from '../provider-definition.js';

export const sinkProvider = defineProvider({
  name: 'sink',
  channels: ['email'],
  create: async ({ config, redis }) => new (await import('./sink.provider.js')).SinkProvider(redis, config.email.sinkDelayMs),
});
