import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, type PhoneChannel } from '../../config/app-config.js';
import type { Channel } from '../../otp/otp.types.js';
import { InjectRedis } from '../../redis/redis.module.js';
import type { RedisClient } from '../../redis/redis-client.js';
import type { MessageProvider } from '../delivery.types.js';
import { twilioStatusCallbackUrl } from '../twilio-status.route.js';
import { ConsoleProvider } from './console.provider.js';
import { SinkProvider } from './sink.provider.js';
import { SmtpProvider } from './smtp.provider.js';
import { TwilioProvider } from './twilio.provider.js';
import { WebhookProvider } from './webhook.provider.js';

/** Picks, once at boot, the provider configured for each channel. */
@Injectable()
export class ProviderRegistry implements OnApplicationShutdown {
  private readonly providers = new Map<Channel, MessageProvider>();

  constructor(config: AppConfig, @InjectRedis() redis: RedisClient) {
    this.providers.set('email', emailProvider(config, redis));
    const consoleProvider = new ConsoleProvider();
    const twilio = config.twilio && new TwilioProvider(config.twilio, twilioStatusCallbackUrl(config.publicUrl));
    const webhook = config.deliveryWebhook && new WebhookProvider(config.deliveryWebhook.url, config.deliveryWebhook.secret);
    for (const [channel, name] of Object.entries(config.phoneProviders) as [PhoneChannel, string][]) {
      const provider = name === 'twilio' ? twilio : name === 'webhook' ? webhook : name === 'console' ? consoleProvider : undefined;
      if (provider) this.providers.set(channel, provider);
    }
  }

  for(channel: Channel): MessageProvider {
    const provider = this.providers.get(channel);
    if (!provider) throw new Error(`No provider is configured for channel ${channel}`);
    return provider;
  }

  onApplicationShutdown(): void {
    for (const provider of this.providers.values()) if (provider instanceof SmtpProvider) provider.close();
  }
}

function emailProvider(config: AppConfig, redis: RedisClient): MessageProvider {
  switch (config.email.provider) {
    case 'smtp':
      return new SmtpProvider(config.email.smtpUrl!, config.email.from);
    case 'sink':
      return new SinkProvider(redis, config.email.sinkDelayMs);
    case 'console':
      return new ConsoleProvider();
  }
}
