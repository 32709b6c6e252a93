import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { createPostgresDatabase } from '../../test/support/stack.js';
import { PlannedStatement } from './planned-statement.js';

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

interface Probe {
  id: string;
  mode: string;
  generic: string;
  custom: string;
}

/** The row, the session's plan_cache_mode, and how often this statement ran on a generic or a custom plan. */
const PROBE = `SELECT t.*, current_setting('plan_cache_mode') AS mode, p.generic_plans::text AS generic, p.custom_plans::text AS custom
  FROM planned_rows t, pg_prepared_statements p WHERE t.id = $1 AND p.name = 'probe'`;

describe('PlannedStatement on PostgreSQL', () => {
  let dataSource: DataSource;

  before(async () => {
    dataSource = new DataSource({ type: 'postgres', url: await createPostgresDatabase(cleanups), poolSize: 6 });
    await dataSource.initialize();
    cleanups.push(() => (dataSource.isInitialized ? dataSource.destroy() : undefined));
    await dataSource.query(`CREATE TABLE planned_rows (id varchar(8) PRIMARY KEY)`);
    await dataSource.query(`INSERT INTO planned_rows (id) VALUES ('a'), ('b')`);
  });

  const poolModes = async () =>
    (await Promise.all([0, 1].map(() => dataSource.query(`SELECT current_setting('plan_cache_mode') AS mode, pg_sleep(0.05)`)))).map(([row]) => (row as Probe).mode);

  it('runs on one held connection with one generic plan, while the pooled connections keep the default', async () => {
    const probe = new PlannedStatement<Probe>(dataSource, 'probe', PROBE);
    const runs: Probe[] = [];
    for (const id of ['a', 'b', 'a', 'b', 'a', 'b', 'a']) runs.push(...(await probe.query([id])));
    assert.deepEqual(
      runs.map(({ id }) => id),
      ['a', 'b', 'a', 'b', 'a', 'b', 'a'],
    );
    assert.ok(runs.every(({ mode }) => mode === 'force_generic_plan'));
    assert.deepEqual(runs.at(-1)!.custom, '0', 'PostgreSQL never planned it for its values');
    assert.ok(Number(runs.at(-1)!.generic) >= 6, `generic plans: ${runs.at(-1)!.generic}`);
    const [other] = (await dataSource.query(`SELECT count(*)::int AS n FROM planned_rows`)) as { n: number }[];
    assert.equal(other!.n, 2, 'the pool still serves other statements beside the held connection');
    const [mode] = (await dataSource.query(`SELECT current_setting('plan_cache_mode') AS mode`)) as Probe[];
    assert.equal(mode!.mode, 'auto');
  });

  it('prepares afresh when a migration changes the result columns under it', async () => {
    const rows = new PlannedStatement<Record<string, unknown>>(dataSource, 'rows_by_id', `SELECT t.* FROM planned_rows t WHERE t.id = $1`);
    assert.deepEqual(await rows.query(['a']), [{ id: 'a' }]);
    await dataSource.query(`ALTER TABLE planned_rows ADD COLUMN note varchar(8)`);
    try {
      assert.deepEqual(await rows.query(['a']), [{ id: 'a', note: null }]);
    } finally {
      await dataSource.query(`ALTER TABLE planned_rows DROP COLUMN note`);
    }
  });

  it('closes its connection after an error instead of giving its setting back to the pool, and recovers', async () => {
    const rows = new PlannedStatement<{ id: string }>(dataSource, 'rows_by_number', `SELECT t.id FROM planned_rows t WHERE t.id = $1::int::text`);
    await assert.rejects(rows.query(['not a number']), /invalid input syntax/);
    assert.deepEqual(await poolModes(), ['auto', 'auto']);
    assert.deepEqual(await rows.query(['1']), []);
  });

  it('survives its backend being terminated, and lets the DataSource close while it holds a connection', async () => {
    const sql = `SELECT t.id FROM planned_rows t WHERE t.id = $1 AND true`;
    const rows = new PlannedStatement<{ id: string }>(dataSource, 'rows_by_id_again', sql);
    assert.deepEqual(await rows.query(['b']), [{ id: 'b' }]);
    const [terminated] = (await dataSource.query(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE query = $1`, [sql])) as { n: number }[];
    assert.equal(terminated!.n, 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(await rows.query(['b']), [{ id: 'b' }], 'a fresh connection, without failing a caller first');
    assert.deepEqual(await poolModes(), ['auto', 'auto']);
    const closed = await Promise.race([dataSource.destroy().then(() => 'closed'), new Promise((resolve) => setTimeout(resolve, 5000, 'hung'))]);
    assert.equal(closed, 'closed');
  });
});
