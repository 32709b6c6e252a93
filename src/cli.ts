import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { parseArgs, UsageError } from './cli/args.js';
import { CliModule } from './cli/cli.module.js';
import { KeysCommands } from './cli/keys.commands.js';
import { ProjectCommands } from './cli/project.commands.js';
import { DomainError } from './common/errors/domain-error.js';
import { AppConfig, ConfigError } from './config/app-config.js';

const USAGE = `usage: node dist/cli.js project create --name <name>
       node dist/cli.js project show <projectId>
       node dist/cli.js project update <projectId> --set <key>=<value> [--set ...]
       node dist/cli.js keys rotate --project <projectId>
       node dist/cli.js keys create --project <projectId> [--name <name>]
       node dist/cli.js keys list --project <projectId>
       node dist/cli.js keys revoke --project <projectId> --key-id <keyId>`;

async function main(argv: string[]): Promise<number> {
  const { positional, options } = parseArgs(argv);
  const [group, action, ...rest] = positional;
  if (group !== 'project' && group !== 'keys') throw new UsageError(USAGE);
  const config = AppConfig.fromEnvironment(process.env);
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

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof ConfigError) for (const problem of error.problems) process.stderr.write(`config error: ${problem}\n`);
  else if (error instanceof UsageError || error instanceof DomainError) process.stderr.write(`error: ${error.message}\n`);
  else process.stderr.write(`error: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
