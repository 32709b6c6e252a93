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

    it('writes concurrent records in one batch, each once, and lists them newest first', async () => {
      const records = await open();
      const written = await Promise.all([records.write('sent', record('D1')), records.write('sent', record('D2')), records.write('sent', record('D3', { loginId: 'other' })), records.write('sent', record('D1', { attempts: 9 }))]);
      assert.deepEqual(written, [record('D1'), record('D2'), record('D3', { loginId: 'other' }), null]);
      assert.deepEqual((await records.listForLoginId('P1', 'ada@example.com', 10)).map((r) => r.id), ['D2', 'D1']);
      assert.deepEqual(await records.findOne('P1', 'D3'), record('D3', { loginId: 'other' }));
      assert.equal(await records.findOne('P2', 'D3'), null);
    });

    it('moves an existing record on by the outcome, only forward, with only the columns the outcome sets', async () => {
      const records = await open();
      await records.write('retrying', record('D1', { providerError: 'busy', attempts: 1 }));
      await records.write('failed', record('D2', { state: 'failed', providerError: 'boom', failedAt: 5 }));
      await records.write('sent', record('D3', { state: 'sent' }));
      assert.ok(await records.move('D3', ['sent'], { state: 'delivered', deliveredAt: 7 }));
      const later = { loginId: 'ignored', createdAt: 1, requestId: 'ignored' };
      const sent: Partial<DeliveryEntity> = { state: 'sent', attempts: 2, provider: 'smtp', providerError: null, failedAt: null, sentAt: 42, updatedAt: 42 };
      const [one, two, three] = await Promise.all(['D1', 'D2', 'D3'].map((id) => records.write('sent', record(id, { ...later, ...sent, providerMessageId: `M${id}` }))));
      assert.deepEqual(one, record('D1', { ...sent, providerMessageId: 'MD1' }));
      assert.deepEqual(two, record('D2', { ...sent, providerMessageId: 'MD2' }));
      assert.equal(three, null, 'a delivered record stays delivered');
      assert.deepEqual(await records.findByProviderMessageId('smtp', 'MD2'), two);
      assert.equal(await records.write('retrying', record('D1', { attempts: 3, providerError: 'late' })), null, 'a sent record is not queued again');
      const failed = await records.write('failed', record('D1', { ...later, state: 'failed', attempts: 3, provider: 'smtp', providerError: 'bounced', failedAt: 50, updatedAt: 50 }));
      assert.deepEqual(failed, record('D1', { ...sent, providerMessageId: 'MD1', state: 'failed', attempts: 3, providerError: 'bounced', failedAt: 50, updatedAt: 50 }));
      assert.deepEqual(await records.write('retrying', record('D4', { attempts: 1, providerError: 'busy' })), record('D4', { attempts: 1, providerError: 'busy' }));
      assert.deepEqual(await records.write('retrying', record('D4', { attempts: 2, provider: 'smtp', providerError: 'busy again', updatedAt: 60 })), record('D4', { attempts: 2, provider: 'smtp', providerError: 'busy again', updatedAt: 60 }));
    });

    it('moves a record only from the states given', async () => {
      const records = await open();
      await records.write('sent', record('D1', { state: 'sent' }));
      assert.equal(await records.move('D1', ['queued'], { state: 'failed', providerError: 'late' }), null);
      assert.deepEqual(await records.move('D1', ['queued', 'sent'], { state: 'delivered', deliveredAt: 9 }), record('D1', { state: 'delivered', deliveredAt: 9 }));
      assert.equal((await records.findOne('P1', 'D1'))?.state, 'delivered');
    });
  });
}
