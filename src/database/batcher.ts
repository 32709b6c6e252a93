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
 * Inserts rows of one table through a Batcher: one multi-row INSERT per batch. A batch that fails is
 * retried row by row, so a row that breaks a constraint fails its own caller only.
 */
export class BatchInserter<T extends ObjectLiteral> {
  private readonly batcher: Batcher<T, Error | undefined>;

  constructor(repository: Repository<T>, maxRows = 100) {
    this.batcher = new Batcher(async (rows) => {
      try {
        await repository.insert(rows as QueryDeepPartialEntity<T>[]);
        return rows.map(() => undefined);
      } catch (error) {
        if (rows.length === 1) return [error as Error];
        return Promise.all(rows.map((row) => repository.insert(row as QueryDeepPartialEntity<T>).then(() => undefined, (rowError: unknown) => rowError as Error)));
      }
    }, maxRows);
  }

  /** Stores a whole entity (as `repository.create` makes it). */
  async insert(row: T): Promise<void> {
    const error = await this.batcher.add(row);
    if (error) throw error;
  }
}
