import { Module } from '@nestjs/common';
import { SecretsModule } from '../common/crypto/secrets.module.js';
import type { AppConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { SigningKeysModule } from '../auth/signing-keys.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { KeysCommands } from './keys.commands.js';
import { ProjectCommands } from './project.commands.js';

/** The operator CLI. It migrates like the API, so it works on a database the API has never seen. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig) {
    return {
      module: CliModule,
      imports: [ConfigModule.forRoot(config), SecretsModule, DatabaseModule.forRoot({ runMigrations: true }), ProjectsModule, SigningKeysModule],
      providers: [ProjectCommands, KeysCommands],
    };
  }
}
