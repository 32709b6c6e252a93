import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { parseArgs, UsageError } from './cli/args.js';
import { CliModule } from './cli/cli.module.js';
import { ProjectCommands } from './cli/project.commands.js';
import { DomainError } from './common/errors/domain-error.js';
import { AppConfig, ConfigError } from './config/app-config.js';

const USAGE = `usage: node dist/cli.js project create --name <name>
       node dist/cli.js project show <projectId>
       node dist/cli.js project update <projectId> --set <key>=<value> [--set ...]`;

async function main(argv: string[]): Promise<number> {
  const { positional, options } = parseArgs(argv);
  const [group, action, ...rest] = positional;
  if (group !== 'project') throw new UsageError(USAGE);
  const config = AppConfig.fromEnvironment(process.env);
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error'] });
  try {
    const result = await app.get(ProjectCommands).run(action, rest, options);
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
