import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config.js';
import { dataSourceOptions } from './data-source-options.js';
import { MigrationsService } from './migrations.service.js';

@Module({})
export class DatabaseModule {
  /** The API and the CLI migrate at boot; a worker never does. */
  static forRoot({ runMigrations }: { runMigrations: boolean }): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config), retryAttempts: 2, retryDelay: 1000 }),
        }),
      ],
      providers: runMigrations ? [MigrationsService] : [],
    };
  }
}
