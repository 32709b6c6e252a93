import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { newId, randomToken } from '../common/crypto/random.js';
import { DomainError } from '../common/errors/domain-error.js';
import { TtlCache } from '../common/ttl-cache.js';
import { ManagementKeyEntity } from './management-key.entity.js';
import { ProjectEntity } from './project.entity.js';
import { applySettings, ProjectSettings, settingsFrom } from './project-settings.js';

export interface Project {
  id: string;
  name: string;
  settings: ProjectSettings;
}

export interface ManagementKeyInfo {
  id: string;
  name: string;
  createdAt: number;
  revokedAt: number | null;
}

const PROJECT_ID = /^P[A-Za-z0-9_-]{27}$/;

@Injectable()
export class ProjectsService {
  private readonly cache = new TtlCache<Project | null>(5_000);
  private readonly originsCache = new TtlCache<Set<string>>(5_000);

  constructor(
    @InjectRepository(ProjectEntity) private readonly projects: Repository<ProjectEntity>,
    @InjectRepository(ManagementKeyEntity) private readonly keys: Repository<ManagementKeyEntity>,
  ) {}

  async create(name: string): Promise<{ project: Project; managementKey: string }> {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 200) throw new DomainError('INVALID_REQUEST', 'name must be 1 to 200 characters');
    const entity = this.projects.create({ id: newId('P'), name: trimmed, settings: {}, createdAt: Date.now() });
    await this.projects.insert(entity);
    const { key } = await this.createManagementKey(entity.id, 'default');
    return { project: this.toProject(entity), managementKey: key };
  }

  /** The project, or null; cached for a few seconds because every request reads it. */
  async find(projectId: string): Promise<Project | null> {
    if (!PROJECT_ID.test(projectId)) return null;
    return this.cache.getOrLoad(projectId, async () => {
      const entity = await this.projects.findOneBy({ id: projectId });
      return entity ? this.toProject(entity) : null;
    });
  }

  async get(projectId: string): Promise<Project> {
    const project = await this.find(projectId);
    if (!project) throw new DomainError('UNKNOWN_PROJECT', `Unknown project ${JSON.stringify(projectId)}`);
    return project;
  }

  async updateSettings(projectId: string, assignments: Record<string, string>): Promise<Project> {
    const entity = await this.projects.findOneBy({ id: projectId });
    if (!entity) throw new DomainError('UNKNOWN_PROJECT', `Unknown project ${JSON.stringify(projectId)}`);
    const { name, ...rest } = assignments;
    const { settings, problems } = applySettings(settingsFrom(entity.settings), rest);
    if (!settings) throw new DomainError('INVALID_REQUEST', problems.join('; '));
    if (name !== undefined) {
      if (!name.trim() || name.length > 200) throw new DomainError('INVALID_REQUEST', 'name must be 1 to 200 characters');
      entity.name = name.trim();
    }
    entity.settings = { ...settings };
    await this.projects.save(entity);
    this.cache.delete(projectId);
    this.originsCache.delete('all');
    return this.toProject(entity);
  }

  /** Creates a management key; the key itself is returned once and only its SHA-256 is kept. */
  async createManagementKey(projectId: string, name: string): Promise<{ id: string; key: string }> {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 200) throw new DomainError('INVALID_REQUEST', 'name must be 1 to 200 characters');
    const id = newId('M');
    const key = `K${randomToken(47)}`;
    await this.keys.insert({ id, projectId, keyHash: hashKey(key), name: trimmed, createdAt: Date.now(), revokedAt: null });
    return { id, key };
  }

  /** The project's management keys, without their hashes. */
  async listManagementKeys(projectId: string): Promise<ManagementKeyInfo[]> {
    await this.get(projectId);
    const rows = await this.keys.find({ where: { projectId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map(({ id, name, createdAt, revokedAt }) => ({ id, name, createdAt, revokedAt }));
  }

  /** Revokes a management key of the project; revoking a revoked key keeps its first revocation time. */
  async revokeManagementKey(projectId: string, keyId: string): Promise<ManagementKeyInfo> {
    await this.get(projectId);
    await this.keys.update({ id: keyId, projectId, revokedAt: IsNull() }, { revokedAt: Date.now() });
    const row = await this.keys.findOneBy({ id: keyId, projectId });
    if (!row) throw new DomainError('INVALID_REQUEST', `Project ${projectId} has no management key ${JSON.stringify(keyId)}`);
    return { id: row.id, name: row.name, createdAt: row.createdAt, revokedAt: row.revokedAt };
  }

  /** True when `key` is a live management key of this project (never of another one). */
  async isManagementKey(projectId: string, key: string): Promise<boolean> {
    const row = await this.keys.findOneBy({ keyHash: hashKey(key), projectId, revokedAt: IsNull() });
    return row !== null;
  }

  /** Every origin some project allows (answers CORS preflights, which carry no project). */
  async allCorsOrigins(): Promise<Set<string>> {
    return this.originsCache.getOrLoad('all', async () => {
      const rows = await this.projects.find({ select: { id: true, settings: true } });
      return new Set(rows.flatMap((row) => settingsFrom(row.settings).corsOrigins));
    });
  }

  private toProject(entity: ProjectEntity): Project {
    return { id: entity.id, name: entity.name, settings: settingsFrom(entity.settings) };
  }
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
