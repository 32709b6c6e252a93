import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Repository } from 'typeorm';
import { batchInserter, Batcher } from './batcher.js';

describe('Batcher', () => {
  it('runs what was added in one turn as one batch, and answers each caller with its own result', async () => {
    const batches: number[][] = [];
    const batcher = new Batcher(async (items: number[]) => {
      batches.push(items);
      return items.map((n) => n * 10);
    });
    const results = await Promise.all([1, 2, 3].map((n) => batcher.add(n)));
    assert.deepEqual(results, [10, 20, 30]);
    assert.deepEqual(batches, [[1, 2, 3]]);
    assert.equal(await batcher.add(4), 40);
    assert.deepEqual(batches, [[1, 2, 3], [4]]);
  });

  it('starts a batch as soon as maxItems are waiting', async () => {
    const batches: number[][] = [];
    const batcher = new Batcher(async (items: number[]) => {
      batches.push(items);
      return items;
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.add(n)));
    assert.deepEqual(batches, [[1, 2], [3, 4], [5]]);
  });

  it('rejects every caller of a batch that fails', async () => {
    const batcher = new Batcher<number, number>(async () => {
      throw new Error('database down');
    });
    const outcomes = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
    assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected']);
  });
});

describe('batchInserter', () => {
  /** A table whose INSERT fails whenever a row has `bad`, as a constraint would. */
  function table() {
    const stored: { id: number; bad?: boolean }[] = [];
    const calls: number[] = [];
    const repository = {
      insert: async (rows: { id: number; bad?: boolean } | { id: number; bad?: boolean }[]) => {
        const list = Array.isArray(rows) ? rows : [rows];
        calls.push(list.length);
        if (list.some((row) => row.bad)) throw new Error('constraint violated');
        stored.push(...list);
      },
    } as unknown as Repository<{ id: number; bad?: boolean }>;
    return { stored, calls, insert: batchInserter(repository) };
  }

  it('stores concurrent rows with one multi-row INSERT', async () => {
    const { stored, calls, insert } = table();
    await Promise.all([1, 2, 3, 4].map((id) => insert({ id })));
    assert.deepEqual(calls, [4]);
    assert.deepEqual(stored.map((row) => row.id), [1, 2, 3, 4]);
  });

  it('fails only the caller whose row breaks the batch, and stores the others', async () => {
    const { stored, insert } = table();
    const outcomes = await Promise.allSettled([insert({ id: 1 }), insert({ id: 2, bad: true }), insert({ id: 3 })]);
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual(stored.map((row) => row.id).sort(), [1, 3]);
  });
});
