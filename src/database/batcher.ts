import type { ObjectLiteral, Repository } from 'typeorm';
import { RawTable } from './raw-table.js';

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: the items that requests add while the event loop is busy go to `run` together.
 * A batch starts at the loop's next turn when no other batch of this Batcher is in flight; while one
 * is, items wait for it to finish and then go together (or as soon as `maxItems` are waiting). So an
 * idle server waits for nothing but the current turn, and a busy one makes one database or Redis
 * round trip (one socket write, one commit) for many requests instead of one each. Each caller's
 * promise settles with its own result.
 */
export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private scheduled = false;
  private inFlight = 0;

  /** `run` answers one result per item, in order. */
  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly maxItems = 100,
    private readonly maxInFlight = 1,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.maxItems) this.flush();
      else this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.inFlight < this.maxInFlight) this.flush();
    });
  }

  private flush(): void {
    const batch = this.queue.splice(0, this.maxItems);
    if (!batch.length) return;
    this.inFlight++;
    this.run(batch.map((pending) => pending.item))
      .then(
        (results) => batch.forEach((pending, i) => pending.resolve(results[i] as O)),
        (error: unknown) => batch.forEach((pending) => pending.reject(error)),
      )
      .finally(() => {
        this.inFlight--;
        if (this.queue.length) this.schedule();
      });
  }
}

/**
 * A Batcher for writes: `writeMany` once per batch. A batch that fails is retried item by item with
 * `writeOne`, so an item that breaks it fails its own caller only (writes retried this way must be
 * idempotent or atomic per batch).
 */
export function batchedWriter<I>(writeMany: (items: I[]) => Promise<unknown>, writeOne: (item: I) => Promise<unknown>, maxItems = 100): (item: I) => Promise<void> {
  const batcher = new Batcher<I, Error | undefined>(async (items) => {
    try {
      await writeMany(items);
      return items.map(() => undefined);
    } catch (error) {
      if (items.length === 1) return [error as Error];
      return Promise.all(items.map((item) => writeOne(item).then(() => undefined, (itemError: unknown) => itemError as Error)));
    }
  }, maxItems);
  return async (item) => {
    const error = await batcher.add(item);
    if (error) throw error;
  };
}

/** Inserts whole entities (as `repository.create` makes them) of one table, one multi-row INSERT per batch. */
export function batchInserter<T extends ObjectLiteral>(repository: Repository<T>): (row: T) => Promise<void> {
  const table = new RawTable(repository);
  return batchedWriter(
    (rows: T[]) => table.insertMany(rows),
    (row: T) => table.insertMany([row]),
  );
}
