import type { ObjectLiteral, Repository } from 'typeorm';
import { RawTable } from './raw-table.js';

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: the items that requests add while the event loop is busy go to `run` together.
 * At most one batch of a Batcher is in flight at a time. A batch starts at the loop's next turn when
 * none is in flight; while one is, items wait, and the next batch (at most `maxItems` of them, the
 * rest waiting for the batch after) starts at the turn after it settles. So an idle server waits for nothing
 * but the current turn, a busy one makes one database or Redis round trip (one socket write, one
 * commit) for many requests instead of one each, and a burst never holds more than one connection
 * of the pool per Batcher, nor races its own batches into deadlocks. Each caller's promise settles
 * with its own result.
 */
export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private scheduled = false;
  private inFlight = false;

  /** `run` answers one result per item, in order. */
  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly maxItems = 100,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.inFlight) this.flush();
    });
  }

  private flush(): void {
    const batch = this.queue.splice(0, this.maxItems);
    if (!batch.length) return;
    this.inFlight = true;
    this.run(batch.map((pending) => pending.item))
      .then(
        (results) => batch.forEach((pending, i) => pending.resolve(results[i] as O)),
        (error: unknown) => batch.forEach((pending) => pending.reject(error)),
      )
      .finally(() => {
        this.inFlight = false;
        if (this.queue.length) this.schedule();
      });
  }
}

type Settled<O> = { value: O } | { error: unknown };

/**
 * `run` through a Batcher, once per batch. A batch that fails is run again item by item, so an item
 * that breaks it (a constraint, a deadlock between two processes' batches) fails its own caller
 * only; `run` must be safe to repeat for the items of a failed batch (atomic, or idempotent).
 */
export function batched<I, O>(run: (items: I[]) => Promise<O[]>, maxItems = 100): (item: I) => Promise<O> {
  const batcher = new Batcher<I, Settled<O>>(async (items) => {
    try {
      return (await run(items)).map((value) => ({ value }));
    } catch (error) {
      if (items.length === 1) return [{ error }];
      return Promise.all(items.map((item) => run([item]).then(([value]) => ({ value: value as O }), (itemError: unknown) => ({ error: itemError }))));
    }
  }, maxItems);
  return async (item) => {
    const settled = await batcher.add(item);
    if ('error' in settled) throw settled.error;
    return settled.value;
  };
}

/** A batched write: `writeMany` once per batch, retried item by item when it fails (see batched). */
export function batchedWriter<I>(writeMany: (items: I[]) => Promise<unknown>, maxItems = 100): (item: I) => Promise<void> {
  return batched(async (items: I[]) => {
    await writeMany(items);
    return items.map(() => undefined);
  }, maxItems);
}

/** Inserts whole entities (as `repository.create` makes them) of one table, one multi-row INSERT per batch. */
export function batchInserter<T extends ObjectLiteral>(repository: Repository<T>): (row: T) => Promise<void> {
  const table = new RawTable(repository);
  return batchedWriter((rows: T[]) => table.insertMany(rows));
}
