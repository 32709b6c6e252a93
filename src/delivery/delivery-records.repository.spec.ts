import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DATABASE_KINDS, migratedDatabase } from '../../test/support/migrated-database.js';
import { DeliveryRecordsRepository } from './delivery-records.repository.js';
import { DeliveryEntity } from './delivery.entity.js';

function record(id: string, values: Partial<DeliveryEntity> = {}): DeliveryEntity {
  return Object.assign(new DeliveryEntity(), {
    id,
    challengeId: `C${id}`,
    projectId: 'P1',
    loginId: 'ada@example.com',
    channel: 'email',
    step: 0,
    recipientMasked: 'a***@example.com',
    provider: null,
    state: 'queued',
    attempts: 0,
    providerMessageId: null,
    providerError: null,
    requestId: null,
    createdAt: 1_795_000_000_000 + Number(id.slice(1)),
    updatedAt: 1_795_000_000_000,
    sentAt: null,
    deliveredAt: null,
    failedAt: null,
    ...values,
  });
}

for (const kind of DATABASE_KINDS) {
  describe(`DeliveryRecordsRepository on ${kind}`, () => {
    async function open(): Promise<DeliveryRecordsRepository> {
      return new DeliveryRecordsRepository((await migratedDatabase(kind)).getRepository(DeliveryEntity));
    }

    it('inserts concurrent records and lists them newest first', async () => {
      const records = await open();
      await Promise.all([records.insert(record('D1')), records.insert(record('D2')), records.insert(record('D3', { loginId: 'other' }))]);
      assert.deepEqual((await records.listForLoginId('P1', 'ada@example.com', 10)).map((r) => r.id), ['D2', 'D1']);
      assert.deepEqual(await records.findOne('P1', 'D3'), record('D3', { loginId: 'other' }));
      assert.equal(await records.findOne('P2', 'D3'), null);
    });

    it('marks queued and failed records sent in one batch, and leaves delivered ones alone', async () => {
      const records = await open();
      await records.insert(record('D1'));
      await records.insert(record('D2', { state: 'failed', providerError: 'boom', failedAt: 5 }));
      await records.insert(record('D3', { state: 'delivered' }));
      const sent = (id: string) => records.markSent({ id, attempts: 2, provider: 'smtp', providerMessageId: `M${id}`, at: 42 });
      const [one, two, three] = await Promise.all([sent('D1'), sent('D2'), sent('D3')]);
      const expected: Partial<DeliveryEntity> = { state: 'sent', attempts: 2, provider: 'smtp', providerError: null, failedAt: null, sentAt: 42, updatedAt: 42 };
      assert.deepEqual(one, record('D1', { ...expected, providerMessageId: 'MD1' }));
      assert.deepEqual(two, record('D2', { ...expected, providerMessageId: 'MD2' }));
      assert.equal(three, null);
      assert.deepEqual(await records.findByProviderMessageId('smtp', 'MD2'), two);
    });

    it('moves a record only from the states given', async () => {
      const records = await open();
      await records.insert(record('D1', { state: 'sent' }));
      assert.equal(await records.move('D1', ['queued'], { state: 'failed', providerError: 'late' }), null);
      assert.deepEqual(await records.move('D1', ['queued', 'sent'], { state: 'delivered', deliveredAt: 9 }), record('D1', { state: 'delivered', deliveredAt: 9 }));
      assert.equal((await records.findOne('P1', 'D1'))?.state, 'delivered');
    });
  });
}
