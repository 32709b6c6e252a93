import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Column, DataSource, Entity, PrimaryColumn, PrimaryGeneratedColumn, QueryFailedError, Table } from 'typeorm';
import { createPostgresDatabase } from '../../test/support/stack.js';
import { NothingChanged, runAtomically } from './atomic.js';
import { batchInserter } from './batcher.js';
import { epochMs } from './columns.js';
import { RawTable } from './raw-table.js';
import { sqliteDriver } from './sqlite-driver.js';

/** Every kind of column the hot-path tables have. */
@Entity('raw_table_rows')
class RowEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 }) id: string;
  @Column({ name: 'display_name', type: 'varchar', length: 64, nullable: true }) displayName: string | null;
  @Column({ type: 'boolean', default: false }) verified: boolean;
  @Column({ type: 'simple-json' }) tags: string[];
  @Column({ type: 'simple-json', nullable: true }) detail: Record<string, unknown> | null;
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs }) createdAt: number;
  @Column({ name: 'seen_at', type: 'bigint', nullable: true, transformer: epochMs }) seenAt: number | null;
}

@Entity('raw_table_events')
class EventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'integer' }) seq: number;
  @Column({ type: 'varchar', length: 32 }) name: string;
}

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const ROWS: RowEntity[] = [
  Object.assign(new RowEntity(), { id: 'a', displayName: 'Ada', verified: true, tags: ['x', 'y'], detail: { n: 1 }, createdAt: 1_795_000_000_123, seenAt: null }),
  Object.assign(new RowEntity(), { id: 'b', displayName: null, verified: false, tags: [], detail: null, createdAt: 1, seenAt: 2 }),
];

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`RawTable on ${kind}`, () => {
    /** A fresh database with the two tables, made as the migrations make theirs (the Table API). */
    async function open(): Promise<DataSource> {
      const entities = [RowEntity, EventEntity];
      const dataSource =
        kind === 'sqlite'
          ? new DataSource({ type: 'better-sqlite3', driver: sqliteDriver, database: ':memory:', entities })
          : new DataSource({ type: 'postgres', url: await createPostgresDatabase(cleanups), entities });
      await dataSource.initialize();
      cleanups.push(() => dataSource.destroy());
      const runner = dataSource.createQueryRunner();
      await runner.createTable(
        new Table({
          name: 'raw_table_rows',
          columns: [
            { name: 'id', type: 'varchar', length: '32', isPrimary: true },
            { name: 'display_name', type: 'varchar', length: '64', isNullable: true },
            { name: 'verified', type: 'boolean', default: false },
            { name: 'tags', type: 'text' },
            { name: 'detail', type: 'text', isNullable: true },
            { name: 'created_at', type: 'bigint' },
            { name: 'seen_at', type: 'bigint', isNullable: true },
          ],
        }),
      );
      await runner.createTable(
        new Table({
          name: 'raw_table_events',
          columns: [
            { name: 'seq', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
            { name: 'name', type: 'varchar', length: '32' },
          ],
        }),
      );
      await runner.release();
      return dataSource;
    }

    it('writes rows that the repository reads back unchanged, and reads rows as the repository does', async () => {
      const dataSource = await open();
      const repository = dataSource.getRepository(RowEntity);
      const table = new RawTable(repository);
      await table.insertMany(ROWS);
      assert.deepEqual(await repository.find({ order: { id: 'ASC' } }), ROWS);
      const raw = await table.query<Record<string, unknown>>(`SELECT r.* FROM ${table.name} r WHERE r."id" = ${table.param(0)}`, ['a']);
      assert.deepEqual(table.hydrate(raw[0]!), ROWS[0]);
      assert.ok(table.hydrate(raw[0]!) instanceof RowEntity);
    });

    it('updateEach: one UPDATE gives each row its own values, only where the condition holds, and answers the rows', async () => {
      const dataSource = await open();
      const repository = dataSource.getRepository(RowEntity);
      const table = new RawTable(repository);
      await table.insertMany([...ROWS, Object.assign(new RowEntity(), { ...ROWS[1]!, id: 'c' })]);
      const updated = await table.updateEach(
        [
          { id: 'a', set: { seenAt: 10, tags: ['p'], verified: false } },
          { id: 'b', set: { seenAt: 1_795_000_000_999, tags: [], verified: true } },
          { id: 'c', set: { seenAt: 30, tags: ['never'], verified: true } },
        ],
        { also: { displayName: 'changed' }, where: { id: ['a', 'b'] } },
      );
      assert.deepEqual([...updated.keys()].sort(), ['a', 'b']);
      const rows = await repository.find({ order: { id: 'ASC' } });
      const row = (values: Partial<RowEntity>) => Object.assign(new RowEntity(), values);
      assert.deepEqual(rows, [
        row({ ...ROWS[0]!, seenAt: 10, tags: ['p'], verified: false, displayName: 'changed' }),
        row({ ...ROWS[1]!, seenAt: 1_795_000_000_999, tags: [], verified: true, displayName: 'changed' }),
        row({ ...ROWS[1]!, id: 'c' }),
      ]);
      assert.deepEqual(updated.get('b'), rows[1]);
    });

    it('upsertEach: one statement inserts new rows and updates existing ones only where the condition holds, and answers the rows written', async () => {
      const dataSource = await open();
      const repository = dataSource.getRepository(RowEntity);
      const table = new RawTable(repository);
      await table.insertMany(ROWS);
      const row = (values: Partial<RowEntity>) => Object.assign(new RowEntity(), values);
      const newA = row({ ...ROWS[0]!, displayName: 'ignored', tags: ['new'], seenAt: 10 });
      const newB = row({ ...ROWS[1]!, tags: ['kept'], seenAt: 20 });
      const c = row({ ...ROWS[1]!, id: 'c', detail: { n: 3 }, createdAt: 1_795_000_000_999 });
      // "b" has been seen: the condition leaves it alone.
      const written = await table.upsertEach([newA, newB, c], { update: ['tags', 'seenAt'], where: { seenAt: null } });
      assert.deepEqual([...written.keys()].sort(), ['a', 'c']);
      const rows = await repository.find({ order: { id: 'ASC' } });
      assert.deepEqual(rows, [row({ ...ROWS[0]!, tags: ['new'], seenAt: 10 }), ROWS[1], c]);
      assert.deepEqual(written.get('a'), rows[0]);
      assert.deepEqual(written.get('c'), c);
      const again = await table.upsertEach([row({ ...ROWS[1]!, verified: true })], { update: ['verified'], where: { seenAt: [2, 3] } });
      assert.equal(again.get('b')?.verified, true);
    });

    it('updateStatement and deleteStatement: conditions by property (a value, null, a list); mustChange rolls everything back', async () => {
      const dataSource = await open();
      const repository = dataSource.getRepository(RowEntity);
      const table = new RawTable(repository);
      await table.insertMany([...ROWS, Object.assign(new RowEntity(), { ...ROWS[1]!, id: 'c', seenAt: null })]);
      await runAtomically(dataSource, [
        table.updateStatement({ seenAt: null }, { tags: ['unseen'], verified: true }),
        table.deleteStatement({ id: ['b', 'x'] }),
      ]);
      const row = (values: Partial<RowEntity>) => Object.assign(new RowEntity(), values);
      const expected = [row({ ...ROWS[0]!, tags: ['unseen'], verified: true }), row({ ...ROWS[1]!, id: 'c', seenAt: null, tags: ['unseen'], verified: true })];
      assert.deepEqual(await repository.find({ order: { id: 'ASC' } }), expected);
      await assert.rejects(
        runAtomically(dataSource, [table.deleteStatement({ id: 'a' }), table.updateStatement({ id: 'gone' }, {}, true)]),
        NothingChanged,
      );
      assert.deepEqual(await repository.find({ order: { id: 'ASC' } }), expected);
    });

    it('leaves generated columns to the database', async () => {
      const dataSource = await open();
      const repository = dataSource.getRepository(EventEntity);
      await new RawTable(repository).insertMany([repository.create({ name: 'one' }), repository.create({ name: 'two' })]);
      assert.deepEqual(
        (await repository.find({ order: { seq: 'ASC' } })).map((e) => e.name),
        ['one', 'two'],
      );
    });

    it('batchInserter: a row that breaks a constraint fails its own caller, its neighbours are stored', async () => {
      const dataSource = await open();
      const repository = dataSource.getRepository(RowEntity);
      await repository.save(ROWS[0]!);
      const insert = batchInserter(repository);
      const fresh = (id: string) => Object.assign(new RowEntity(), { ...ROWS[1]!, id });
      const outcomes = await Promise.allSettled([insert(fresh('c')), insert(ROWS[0]!), insert(fresh('d'))]);
      assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
      assert.deepEqual((await repository.find({ order: { id: 'ASC' } })).map((r) => r.id), ['a', 'c', 'd']);
    });

    it('runAtomically: statements land together, or, when one breaks a constraint, none does and others\' writes stay', async () => {
      const dataSource = await open();
      const rows = dataSource.getRepository(RowEntity);
      const events = dataSource.getRepository(EventEntity);
      const table = new RawTable(rows);
      const eventTable = new RawTable(events);
      await runAtomically(dataSource, [table.insertStatement([ROWS[0]!]), eventTable.insertStatement([events.create({ name: 'a made' })])]);
      assert.deepEqual(await rows.find(), [ROWS[0]]);

      const fresh = Object.assign(new RowEntity(), { ...ROWS[1]! });
      // Twenty atomic pairs whose second statement fails (row "a" exists), racing plain inserts of others.
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => [
          runAtomically(dataSource, [eventTable.insertStatement([events.create({ name: `lost ${i}` })]), table.insertStatement([ROWS[0]!])]),
          events.insert(events.create({ name: `kept ${i}` })),
        ]).flat(),
      );
      for (const [i, outcome] of outcomes.entries()) {
        if (i % 2) assert.equal(outcome.status, 'fulfilled');
        else assert.ok(outcome.status === 'rejected' && outcome.reason instanceof QueryFailedError, String((outcome as PromiseRejectedResult).reason));
      }
      const names = (await events.find()).map((e) => e.name);
      assert.equal(names.filter((n) => n.startsWith('lost')).length, 0, 'a failed pair leaves nothing');
      assert.equal(names.filter((n) => n.startsWith('kept')).length, 20, "others' writes are never rolled back with it");
      await runAtomically(dataSource, [table.insertStatement([fresh])]);
      assert.deepEqual((await rows.find({ order: { id: 'ASC' } })).map((r) => r.id), ['a', 'b']);
    });
  });
}
