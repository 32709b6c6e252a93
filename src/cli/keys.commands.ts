import { Injectable } from '@nestjs/common';
import { SigningKeysService } from '../auth/signing-keys.service.js';
import { type ManagementKeyInfo, ProjectsService } from '../projects/projects.service.js';
import { UsageError } from './args.js';

export const KEYS_USAGE = `keys commands: rotate --project <id> | create --project <id> [--name <name>] | list --project <id> | revoke --project <id> --key-id <id>`;

/** Signing-key rotation and the management keys of a project. */
@Injectable()
export class KeysCommands {
  constructor(
    private readonly projects: ProjectsService,
    private readonly signingKeys: SigningKeysService,
  ) {}

  async run(action: string | undefined, options: Map<string, string[]>): Promise<unknown> {
    const projectId = options.get('project')?.[0];
    if (!action || !['rotate', 'create', 'list', 'revoke'].includes(action)) throw new UsageError(KEYS_USAGE);
    if (!projectId) throw new UsageError(`keys ${action} needs --project <projectId>`);
    const project = await this.projects.get(projectId);
    switch (action) {
      case 'rotate': {
        const { kid, retired } = await this.signingKeys.rotate(project);
        return { projectId, kid, retired: retired.map((key) => ({ kid: key.kid, serveUntil: new Date(key.serveUntil).toISOString() })) };
      }
      case 'create': {
        const name = options.get('name')?.[0] ?? 'cli';
        const { id, key } = await this.projects.createManagementKey(projectId, name);
        // The only time the key is shown: it is stored as a hash.
        return { projectId, id, name, managementKey: key };
      }
      case 'list':
        return (await this.projects.listManagementKeys(projectId)).map(describe);
      default: {
        const keyId = options.get('key-id')?.[0];
        if (!keyId) throw new UsageError('keys revoke needs --key-id <id> (see keys list)');
        return describe(await this.projects.revokeManagementKey(projectId, keyId));
      }
    }
  }
}

function describe(key: ManagementKeyInfo) {
  return {
    id: key.id,
    name: key.name,
    createdAt: new Date(key.createdAt).toISOString(),
    revokedAt: key.revokedAt === null ? null : new Date(key.revokedAt).toISOString(),
  };
}
