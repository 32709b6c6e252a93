import 'reflect-metadata';
import { resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { parseArgs, UsageError } from './cli/args.js';
import { CliModule } from './cli/cli.module.js';
import { COMMAND_HELP, USAGE } from './cli/help.js';
import { KeysCommands } from './cli/keys.commands.js';
import { ProjectCommands } from './cli/project.commands.js';
import { DomainError } from './common/errors/domain-error.js';
import { AppConfig, ConfigError, type DatabaseConfig } from './config/app-config.js';
import { loadEnvironment } from './config/environment.js';

async function main(argv: string[]): Promise<number> {
  const { positional, options, help } = parseArgs(argv);
  const [group, action, ...rest] = positional;
  if (help) {
    process.stdout.write(`${COMMAND_HELP[`${group} ${action}`] ?? USAGE}\n`);
    return 0;
  }
  if (group !== 'project' && group !== 'keys') throw new UsageError(USAGE);
  const config = AppConfig.fromEnvironment(loadEnvironment(), 'cli');
  // Said every time: a CLI on the default SQLite file while the API uses PostgreSQL would
  // otherwise create projects the API never sees.
  process.stderr.write(`database: ${describeDatabase(config.database)}\n`);
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error'] });
  try {
    const result =
      group === 'project' ? await app.get(ProjectCommands).run(action, rest, options) : await app.get(KeysCommands).run(action, options);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } finally {
    await app.close();
  }
}

function describeDatabase(database: DatabaseConfig): string {
  if (database.type === 'better-sqlite3') return `sqlite:${database.path === ':memory:' ? database.path : resolve(database.path)}`;
  return database.url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof ConfigError) for (const problem of error.problems) process.stderr.write(`config error: ${problem}\n`);
  else if (error instanceof UsageError || error instanceof DomainError) process.stderr.write(`error: ${error.message}\n`);
  else process.stderr.write(`error: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
