import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchedWriter, Batcher } from './batcher.js';

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

  it('sends at most maxItems per batch', async () => {
    const batches: number[][] = [];
    const batcher = new Batcher(async (items: number[]) => {
      batches.push(items);
      return items;
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.add(n)));
    assert.deepEqual(batches, [[1, 2], [3, 4], [5]]);
  });

  it('holds items while a batch is in flight, then sends them together', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const batcher = new Batcher(async (items: number[]) => {
      batches.push(items);
      if (batches.length === 1) await first;
      return items;
    });
    const pending = [batcher.add(1)];
    await new Promise((resolve) => setImmediate(resolve));
    pending.push(batcher.add(2));
    await new Promise((resolve) => setImmediate(resolve));
    pending.push(batcher.add(3));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(batches, [[1]]);
    release();
    assert.deepEqual(await Promise.all(pending), [1, 2, 3]);
    assert.deepEqual(batches, [[1], [2, 3]]);
  });

  it('keeps one batch in flight, however many items a burst adds', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const sizes: number[] = [];
    const batcher = new Batcher(async (items: number[]) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      sizes.push(items.length);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
      return items.map((n) => -n);
    }, 100);
    const pending: Promise<number>[] = [];
    for (let burst = 0; burst < 10; burst++) {
      for (let i = 0; i < 250; i++) pending.push(batcher.add(burst * 250 + i));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const results = await Promise.all(pending);
    assert.deepEqual(results, Array.from({ length: 2500 }, (_, n) => -n));
    assert.equal(maxInFlight, 1, `${maxInFlight} batches were in flight at once`);
    assert.ok(Math.max(...sizes) <= 100);
    assert.equal(sizes.length, 25);
  });

  it('rejects every caller of a batch that fails', async () => {
    const batcher = new Batcher<number, number>(async () => {
      throw new Error('database down');
    });
    const outcomes = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
    assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected']);
  });
});

describe('batchedWriter', () => {
  /** A store whose batch write fails whenever an item is `bad`, as a constraint would. */
  function store() {
    const stored: number[] = [];
    const calls: number[] = [];
    const write = async (items: number[]) => {
      calls.push(items.length);
      if (items.some((n) => n < 0)) throw new Error('constraint violated');
      stored.push(...items);
    };
    return { stored, calls, write: batchedWriter(write) };
  }

  it('writes concurrent items with one call', async () => {
    const { stored, calls, write } = store();
    await Promise.all([1, 2, 3, 4].map((n) => write(n)));
    assert.deepEqual(calls, [4]);
    assert.deepEqual(stored, [1, 2, 3, 4]);
  });

  it('fails only the caller whose item breaks the batch, and writes the others', async () => {
    const { stored, write } = store();
    const outcomes = await Promise.allSettled([write(1), write(-2), write(3)]);
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual(stored.sort(), [1, 3]);
  });
});
