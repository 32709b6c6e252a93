import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config.js';
import { dataSourceOptions } from './data-source-options.js';
import { MigrationsService } from './migrations.service.js';

/**
 * The TypeORM root module, built once per process. The API and an in-process worker
 * (RUN_WORKER=true) are separate Nest contexts, each creating its own DataSource from it;
 * @nestjs/typeorm counts root registrations per process and warns at a second one.
 */
let typeOrmRoot: DynamicModule | undefined;
function typeOrmRootModule(): DynamicModule {
  typeOrmRoot ??= TypeOrmModule.forRootAsync({
    inject: [AppConfig],
    useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config), autoLoadEntities: true, retryAttempts: 2, retryDelay: 1000 }),
  });
  return typeOrmRoot;
}

@Module({})
export class DatabaseModule {
  /** The API and the CLI migrate at boot; a worker never does. */
  static forRoot({ runMigrations }: { runMigrations: boolean }): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [typeOrmRootModule()],
      providers: runMigrations ? [MigrationsService] : [],
    };
  }
}
