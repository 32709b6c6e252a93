import type { Variables } from './variable.js';

/** A provider's own settings, or every reason they are unusable (naming variables, never quoting a secret). */
export type ProviderSettingsResult<S> = { settings: S; problems?: undefined } | { settings?: undefined; problems: string[] };

/**
 * What configuration needs to know of a message provider. Each provider declares it in its own
 * folder (src/delivery/providers) and the process's entry point hands the list to
 * AppConfig.fromEnvironment, so config, the bottom layer, imports no feature folder and a new
 * provider changes nothing here.
 */
export interface ProviderDeclaration<S = unknown> {
  /** The value of EMAIL_PROVIDER or of a phone channel's *_PROVIDER variable that picks it. */
  readonly name: string;
  /** The channels it can carry. */
  readonly channels: readonly string[];
  /** Its own environment variables: validated, and listed in `.env.example` and the README, like the others. */
  readonly variables?: Variables;
  /**
   * Checks what only makes sense together (required when the provider is picked) and builds its
   * settings from its parsed variables. Called once at boot, only when a channel uses the provider.
   */
  readonly settings?: (values: Readonly<Record<string, unknown>>, production: boolean) => ProviderSettingsResult<S>;
}
