import { Injectable } from '@nestjs/common';
import { ProjectsService } from '../projects/projects.service.js';
import { UsageError } from './args.js';

@Injectable()
export class ProjectCommands {
  constructor(private readonly projects: ProjectsService) {}

  async run(action: string | undefined, positional: string[], options: Map<string, string[]>): Promise<unknown> {
    switch (action) {
      case 'create': {
        const name = options.get('name')?.[0];
        if (!name) throw new UsageError('project create needs --name <name>');
        const { project, managementKey } = await this.projects.create(name);
        return { projectId: project.id, managementKey };
      }
      case 'show':
        return this.projects.get(this.projectId(positional));
      case 'update': {
        const assignments: Record<string, string> = {};
        for (const pair of options.get('set') ?? []) {
          const eq = pair.indexOf('=');
          if (eq < 1) throw new UsageError(`--set takes key=value, got ${JSON.stringify(pair)}`);
          assignments[pair.slice(0, eq)] = pair.slice(eq + 1);
        }
        if (!Object.keys(assignments).length) throw new UsageError('project update needs at least one --set key=value');
        return this.projects.updateSettings(this.projectId(positional), assignments);
      }
      default:
        throw new UsageError('project commands: create --name <name> | show <projectId> | update <projectId> --set key=value ...');
    }
  }

  private projectId(positional: string[]): string {
    const id = positional[0];
    if (!id) throw new UsageError('a project ID is required');
    return id;
  }
}
