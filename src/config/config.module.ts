import { Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config.js';

/**
 * Provides the AppConfig validated by the entry point (main, worker, cli) before Nest boots, so a
 * bad environment stops the process with its list of problems before any connection is opened.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig) {
    return { module: ConfigModule, providers: [{ provide: AppConfig, useValue: config }], exports: [AppConfig] };
  }
}
