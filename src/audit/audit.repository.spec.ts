import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DATABASE_KINDS, migratedDatabase } from '../../test/support/migrated-database.js';
import { AuditEventEntity } from './audit-event.entity.js';
import { AuditRepository, type NewAuditEvent } from './audit.repository.js';

function event(createdAt: number, values: Partial<NewAuditEvent> = {}): NewAuditEvent {
  return {
    projectId: 'P1',
    action: 'sign_in',
    outcome: 'success',
    userId: 'U1',
    loginIdMasked: 'a***@example.com',
    method: 'email',
    ip: null,
    userAgent: null,
    requestId: null,
    detail: { firstSeen: false },
    createdAt,
    ...values,
  };
}

for (const kind of DATABASE_KINDS) {
  describe(`AuditRepository on ${kind}`, () => {
    it('stores concurrent events in order, pages them, finds sign-ins and prunes old ones', async () => {
      const events = new AuditRepository((await migratedDatabase(kind)).getRepository(AuditEventEntity));
      await Promise.all([
        events.insert(event(1)),
        events.insert(event(2, { outcome: 'failure', action: 'wrong_code', detail: null })),
        events.insert(event(3, { projectId: 'P2' })),
        events.insert(event(4)),
      ]);
      const page = await events.after('P1', 0, 2);
      assert.deepEqual(page.map((e) => e.createdAt), [1, 2]);
      assert.equal(page[1]!.detail, null);
      assert.deepEqual((await events.after('P1', page[1]!.seq, 10)).map((e) => e.createdAt), [4]);
      assert.deepEqual((await events.signIns('P1', 'U1', 10)).map((e) => e.createdAt), [4, 1]);
      assert.equal(await events.deleteBefore(3), 2);
      assert.deepEqual((await events.after('P1', 0, 10)).map((e) => e.createdAt), [4]);
    });
  });
}
