import type { ObjectLiteral, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: the items that requests add while the event loop is busy go to `run` together, at
 * the loop's next turn (or as soon as `maxItems` are waiting). Each caller's promise settles with
 * its own result, so a request still waits for its own read or write; under load, one database round
 * trip (one socket write, one commit) serves many requests instead of one each. When the server is
 * idle a batch holds one item and waits for nothing but the current turn.
 */
export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private scheduled = false;

  /** `run` answers one result per item, in order. */
  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly maxItems = 100,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.maxItems) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    const batch = this.queue;
    if (!batch.length) return;
    this.queue = [];
    this.run(batch.map((pending) => pending.item)).then(
      (results) => batch.forEach((pending, i) => pending.resolve(results[i] as O)),
      (error: unknown) => batch.forEach((pending) => pending.reject(error)),
    );
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
  return batchedWriter(
    (rows: T[]) => repository.insert(rows as QueryDeepPartialEntity<T>[]),
    (row: T) => repository.insert(row as QueryDeepPartialEntity<T>),
  );
}
