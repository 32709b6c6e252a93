import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { SecretsService } from '../common/crypto/secrets.service.js';
import { randomToken } from '../common/crypto/random.js';
import { TtlCache } from '../common/ttl-cache.js';
import type { JwkDto } from './dto/jwks-response.dto.js';
import { SigningKeyEntity } from './signing-key.entity.js';

const generateRsa = promisify(generateKeyPair);

export interface ActiveKey {
  kid: string;
  privateKey: KeyObject;
}

export type Jwk = JwkDto;

/** Per-project RS256 keys: created on first use, kept sealed in the database, published as a JWKS. */
@Injectable()
export class SigningKeysService {
  private readonly active = new TtlCache<ActiveKey>(30_000);
  private readonly published = new TtlCache<Jwk[]>(5_000);
  private readonly creating = new Map<string, Promise<ActiveKey>>();
  private readonly verifying = new TtlCache<KeyObject | null>(30_000);

  constructor(
    @InjectRepository(SigningKeyEntity) private readonly keys: Repository<SigningKeyEntity>,
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
    return this.verifying.getOrLoad(`${projectId}/${kid}`, async () => {
      const jwk = (await this.jwks(projectId)).find((key) => key.kid === kid);
      return jwk ? createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' }) : null;
    });
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

  private async create(projectId: string): Promise<void> {
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
  }

  /** Rotation retires the old key, so at most one is active except after a race on first use. */
  private oldestActive(projectId: string): Promise<SigningKeyEntity | null> {
    return this.keys.findOne({ where: { projectId, retiredAt: IsNull() }, order: { createdAt: 'ASC', kid: 'ASC' } });
  }

  private unseal(row: SigningKeyEntity): KeyObject {
    return createPrivateKey(this.secrets.open('signing-key-seal', row.privateKeySealed, row.kid));
  }
}
