import type { Channel } from '../../channels/channels.js';
import type { AppConfig } from '../../config/app-config.js';
import type { ProviderDeclaration } from '../../config/provider-declaration.js';
import type { RedisClient } from '../../redis/redis-client.js';
import type { MessageProvider } from '../delivery.types.js';

/** What the process gives a provider when it creates it. */
export interface ProviderDependencies<S> {
  config: AppConfig;
  redis: RedisClient;
  /** What `settings` returned at boot. */
  settings: S;
}

/**
 * One provider, declared in its own folder and listed once in providers.ts: what configuration
 * needs (name, channels, its own variables and settings) and how to create it. The definition is
 * light (every process loads every one): `create` imports the implementation when a process
 * actually uses it.
 */
export interface ProviderDefinition<S = undefined> extends ProviderDeclaration<S> {
  readonly channels: readonly Channel[];
  readonly create: (dependencies: ProviderDependencies<S>) => Promise<MessageProvider>;
}

/** Checks a definition against its own settings type, then forgets that type for the list of all providers. */
export function defineProvider<S = undefined>(definition: ProviderDefinition<S>): ProviderDefinition<unknown> {
  return definition as unknown as ProviderDefinition<unknown>;
}
