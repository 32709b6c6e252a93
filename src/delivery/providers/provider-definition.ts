import type { Channel } from '../../channels/channels.js';
import type { AppConfig } from '../../config/app-config.js';
import type { RedisClient } from '../../redis/redis-client.js';
import type { MessageProvider } from '../delivery.types.js';

/** The environment as the process received it; a provider reads only the variables it declares. */
export type ProviderEnvironment = Readonly<Record<string, string | undefined>>;

/** A provider's own settings, or every reason they are unusable (naming variables, never quoting a secret). */
export type ProviderSettingsResult<S> = { settings: S; problems?: undefined } | { settings?: undefined; problems: string[] };

/** What the process gives a provider when it creates it. */
export interface ProviderDependencies<S> {
  config: AppConfig;
  redis: RedisClient;
  /** What `settings` returned at boot. */
  settings: S;
}

/**
 * One provider, declared in its own folder and listed once in providers.ts. The definition is light
 * (AppConfig, and so the CLI, loads every one): `create` imports the implementation when a process
 * actually uses it.
 */
export interface ProviderDefinition<S = undefined> {
  /** The value of EMAIL_PROVIDER or a phone channel's *_PROVIDER variable that picks it. */
  readonly name: string;
  /** The channels it can carry. */
  readonly channels: readonly Channel[];
  /**
   * Reads and checks the provider's own variables. AppConfig calls it once at boot, only when a
   * channel uses the provider, so a deployment configures only the providers it picks.
   */
  readonly settings?: (env: ProviderEnvironment, production: boolean) => ProviderSettingsResult<S>;
  readonly create: (dependencies: ProviderDependencies<S>) => Promise<MessageProvider>;
}

/** Checks a definition against its own settings type, then forgets that type for the list of all providers. */
export function defineProvider<S = undefined>(definition: ProviderDefinition<S>): ProviderDefinition<unknown> {
  return definition as unknown as ProviderDefinition<unknown>;
}
