import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CliModule } from '../../src/cli/cli.module.js';
import { ProjectCommands } from '../../src/cli/project.commands.js';
import { AppConfig } from '../../src/config/app-config.js';

export interface CreatedProject {
  projectId: string;
  managementKey: string;
}

/**
 * Creates projects the way an operator does, `node dist/cli.js project create --name …` then
 * `project update <id> --set key=value …`: the CLI's own module, configured from the same environment,
 * and its own command handler with the same arguments. Only the process is saved: one Nest boot per
 * factory instead of one Node process and Nest boot per command. The CLI's argument parsing and
 * output are the business of cli.e2e.ts, which still runs the real `dist/cli.js`.
 */
export class ProjectFactory {
  private app?: Promise<INestApplicationContext>;

  constructor(private readonly env: Record<string, string>) {}

  async create(name: string, settings: Record<string, string | number | boolean> = {}): Promise<CreatedProject> {
    const commands = (await this.context()).get(ProjectCommands);
    const created = (await commands.run('create', [], new Map([['name', [name]]]))) as CreatedProject;
    const sets = Object.entries(settings).map(([key, value]) => `${key}=${value}`);
    if (sets.length) await commands.run('update', [created.projectId], new Map([['set', sets]]));
    return { projectId: created.projectId, managementKey: created.managementKey };
  }

  /** Closes the database connection, if one was opened. */
  async close(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    await (await app?.catch(() => undefined))?.close();
  }

  private context(): Promise<INestApplicationContext> {
    this.app ??= NestFactory.createApplicationContext(CliModule.forRoot(AppConfig.fromEnvironment(this.env, 'cli')), { logger: ['error'] });
    return this.app;
  }
}
