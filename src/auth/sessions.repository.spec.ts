import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DATABASE_KINDS, migratedDatabase } from '../../test/support/migrated-database.js';
import { SessionEntity } from './session.entity.js';
import { SessionsRepository } from './sessions.repository.js';

function session(id: string, values: Partial<SessionEntity> = {}): SessionEntity {
  return Object.assign(new SessionEntity(), {
    id,
    projectId: 'P1',
    userId: 'U1',
    familyId: 'F1',
    amr: ['email'],
    createdAt: 1_795_000_000_000,
    expiresAt: 1_795_000_600_000,
    rotatedAt: null,
    revokedAt: null,
    successorId: null,
    userAgent: null,
    ip: '127.0.0.1',
    ...values,
  });
}

for (const kind of DATABASE_KINDS) {
  describe(`SessionsRepository on ${kind}`, () => {
    async function open(): Promise<SessionsRepository> {
      return new SessionsRepository((await migratedDatabase(kind)).getRepository(SessionEntity));
    }

    it('stores concurrent sessions and rotates each exactly once', async () => {
      const sessions = await open();
      await Promise.all([sessions.insert(session('S1')), sessions.insert(session('S2', { expiresAt: 1_795_000_900_000 }))]);
      assert.deepEqual(await sessions.find('S1', 'P1'), session('S1'));
      assert.equal(await sessions.find('S1', 'P2'), null);
      const rotations = await Promise.all([sessions.markRotated('S1', 'A', 5), sessions.markRotated('S1', 'B', 6)]);
      assert.deepEqual(rotations.sort(), [false, true]);
      const rotated = await sessions.find('S1');
      assert.ok(rotated?.successorId === 'A' || rotated?.successorId === 'B');
      assert.equal(await sessions.latestExpiry('P1'), 1_795_000_900_000);
      assert.equal(await sessions.latestExpiry('P2'), 0);
    });

    it('revokes a family, or every live session of a user', async () => {
      const sessions = await open();
      for (const row of [session('S1'), session('S2', { familyId: 'F2' }), session('S3', { familyId: 'F3' }), session('S4', { userId: 'U2', familyId: 'F4' })]) {
        await sessions.insert(row);
      }
      await sessions.revokeFamily('F3', 7);
      await sessions.revokeUser('P1', 'U1', 9);
      const revoked = await Promise.all(['S1', 'S2', 'S3', 'S4'].map(async (id) => (await sessions.find(id))?.revokedAt));
      assert.deepEqual(revoked, [9, 9, 7, null]);
      assert.equal(await sessions.markRotated('S2', 'X', 10), false, 'a revoked session never rotates');
    });
  });
}
