import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Channel } from '../../channels/channels.js';
import { AppConfig } from '../../config/app-config.js';
import { InjectRedis } from '../../redis/redis.module.js';
import type { RedisClient } from '../../redis/redis-client.js';
import type { MessageProvider } from '../delivery.types.js';
import { providerNamed } from './providers.js';

/** Creates, once at boot, the provider configured for each channel; channels that name the same provider share it. */
@Injectable()
export class ProviderRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly providers = new Map<Channel, MessageProvider>();
  private readonly created = new Map<string, Promise<MessageProvider>>();

  constructor(
    private readonly config: AppConfig,
    @InjectRedis() private readonly redis: RedisClient,
  ) {}

  async onModuleInit(): Promise<void> {
    this.providers.set('email', await this.create(this.config.email.provider));
    for (const [channel, name] of Object.entries(this.config.phoneProviders) as [Channel, string][]) {
      if (name !== 'none') this.providers.set(channel, await this.create(name));
    }
  }

  for(channel: Channel): MessageProvider {
    const provider = this.providers.get(channel);
    if (!provider) throw new Error(`No provider is configured for channel ${channel}`);
    return provider;
  }

  async onApplicationShutdown(): Promise<void> {
    for (const provider of this.created.values()) (await provider).close?.();
  }

  private create(name: string): Promise<MessageProvider> {
    let provider = this.created.get(name);
    if (!provider) {
      const definition = providerNamed(name);
      if (!definition) throw new Error(`No provider is named ${name}`);
      provider = definition.create({ config: this.config, redis: this.redis, settings: this.config.providerSettings[name] });
      this.created.set(name, provider);
    }
    return provider;
  }
}
