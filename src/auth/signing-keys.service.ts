import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository } from 'typeorm';
import { SecretsService } from '../common/crypto/secrets.service.js';
import { randomToken } from '../common/crypto/random.js';
import { TtlCache } from '../common/ttl-cache.js';
import type { Project } from '../projects/projects.service.js';
import type { JwkDto } from './dto/jwks-response.dto.js';
import { SessionsRepository } from './sessions.repository.js';
import { SigningKeyEntity } from './signing-key.entity.js';

/**
 * How long a process keeps signing with the key it loaded. After a rotation by another process (the
 * CLI), a process may sign with the retired key for this long; the retired key's serving window
 * allows for it.
 */
export const ACTIVE_KEY_TTL_MS = 5_000;

const generateRsa = promisify(generateKeyPair);

export interface ActiveKey {
  kid: string;
  privateKey: KeyObject;
}

export type Jwk = JwkDto;

/** Per-project RS256 keys: created on first use, kept sealed in the database, published as a JWKS. */
@Injectable()
export class SigningKeysService {
  private readonly active = new TtlCache<ActiveKey>(ACTIVE_KEY_TTL_MS);
  private readonly published = new TtlCache<Jwk[]>(5_000);
  private readonly creating = new Map<string, Promise<ActiveKey>>();
  private readonly verifying = new TtlCache<KeyObject>(30_000);
  private readonly reloaded = new TtlCache<true>(1_000);

  constructor(
    @InjectRepository(SigningKeyEntity) private readonly keys: Repository<SigningKeyEntity>,
    private readonly sessions: SessionsRepository,
    private readonly secrets: SecretsService,
  ) {}

  /** The key that signs new tokens for the project, created on first use. */
  async current(projectId: string): Promise<ActiveKey> {
    const cached = this.active.get(projectId);
    if (cached) return cached;
    let pending = this.creating.get(projectId);
    if (!pending) {
      pending = this.loadOrCreate(projectId).finally(() => this.creating.delete(projectId));
      this.creating.set(projectId, pending);
    }
    return pending;
  }

  /** Public keys still needed to validate unexpired tokens. */
  async jwks(projectId: string): Promise<Jwk[]> {
    return this.published.getOrLoad(projectId, async () => {
      const rows = await this.keys.find({ where: { projectId }, order: { createdAt: 'ASC', kid: 'ASC' } });
      const now = Date.now();
      const live = rows.filter((row) => row.serveUntil === null || row.serveUntil > now);
      if (live.length === 0) {
        await this.current(projectId);
        return this.jwks(projectId);
      }
      return live.map((row) => row.publicJwk);
    });
  }

  /** The public key `kid` of the project, if it is still published; for verifying our own tokens. */
  async publicKey(projectId: string, kid: string): Promise<KeyObject | null> {
    const cacheKey = `${projectId}/${kid}`;
    const cached = this.verifying.get(cacheKey);
    if (cached) return cached;
    let jwk = (await this.jwks(projectId)).find((key) => key.kid === kid);
    // A kid of this project that we have not seen may come from a key another process has just
    // created; look again, but at most once a second per project so that forged kids cost nothing.
    if (!jwk && kid.startsWith(`${projectId}-`) && !this.reloaded.get(projectId)) {
      this.reloaded.set(projectId, true);
      this.published.delete(projectId);
      jwk = (await this.jwks(projectId)).find((key) => key.kid === kid);
    }
    if (!jwk) return null;
    const key = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
    this.verifying.set(cacheKey, key);
    return key;
  }

  /**
   * Makes a new key current and retires the others. A retired key stays in the JWKS until every
   * token it may have signed has expired: the latest refresh expiry on record, or a full token
   * lifetime from now for tokens other processes sign before they notice the rotation.
   */
  async rotate(project: Project): Promise<{ kid: string; retired: { kid: string; serveUntil: number }[] }> {
    const projectId = project.id;
    const kid = await this.create(projectId);
    const now = Date.now();
    const lifetimeMs = Math.max(project.settings.refreshTtlSeconds, project.settings.sessionTtlSeconds) * 1000;
    const serveUntil = Math.max(await this.sessions.latestExpiry(projectId), now + ACTIVE_KEY_TTL_MS + lifetimeMs);
    const others = { projectId, retiredAt: IsNull(), kid: Not(kid) };
    const retiring = await this.keys.find({ where: others });
    await this.keys.update(others, { retiredAt: now, serveUntil });
    // This process signs with the new key from now on.
    this.active.delete(projectId);
    this.published.delete(projectId);
    return { kid, retired: retiring.map((row) => ({ kid: row.kid, serveUntil })) };
  }

  private async loadOrCreate(projectId: string): Promise<ActiveKey> {
    let row = await this.oldestActive(projectId);
    if (!row) {
      await this.create(projectId);
      // Two processes may create a first key at once; both then sign with the same (oldest) one.
      row = await this.oldestActive(projectId);
    }
    const key = { kid: row!.kid, privateKey: this.unseal(row!) };
    this.active.set(projectId, key);
    return key;
  }

  private async create(projectId: string): Promise<string> {
    const { publicKey, privateKey } = await generateRsa('rsa', { modulusLength: 2048 });
    const kid = `${projectId}-${randomToken(12)}`;
    const jwk = publicKey.export({ format: 'jwk' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    await this.keys.insert({
      kid,
      projectId,
      publicJwk: { kty: 'RSA', kid, alg: 'RS256', use: 'sig', n: jwk.n!, e: jwk.e! },
      privateKeySealed: this.secrets.seal('signing-key-seal', pem, kid),
      createdAt: Date.now(),
      retiredAt: null,
      serveUntil: null,
    });
    this.published.delete(projectId);
    return kid;
  }

  /** Rotation retires the old key, so at most one is active except after a race on first use. */
  private oldestActive(projectId: string): Promise<SigningKeyEntity | null> {
    return this.keys.findOne({ where: { projectId, retiredAt: IsNull() }, order: { createdAt: 'ASC', kid: 'ASC' } });
  }

  private unseal(row: SigningKeyEntity): KeyObject {
    return createPrivateKey(this.secrets.open('signing-key-seal', row.privateKeySealed, row.kid));
  }
}
