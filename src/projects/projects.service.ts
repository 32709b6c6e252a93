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
    const managementKey = await this.createManagementKey(entity.id, 'default');
    return { project: this.toProject(entity), managementKey };
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

  async createManagementKey(projectId: string, name: string): Promise<string> {
    const key = `K${randomToken(47)}`;
    await this.keys.insert({
      id: newId('M'),
      projectId,
      keyHash: hashKey(key),
      name,
      createdAt: Date.now(),
      revokedAt: null,
    });
    return key;
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
