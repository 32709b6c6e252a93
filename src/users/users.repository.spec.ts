import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { configFor, DATABASE_KINDS, migratedDatabase } from '../../test/support/migrated-database.js';
import { LoginIdEntity } from './login-id.entity.js';
import { UserEntity } from './user.entity.js';
import { LoginIdTaken, UserGone, UsersRepository } from './users.repository.js';
import type { User } from './users.types.js';

function user(id: string, projectId = 'P1', values: Partial<User> = {}): User {
  return {
    id,
    projectId,
    name: `Name ${id}`,
    givenName: null,
    middleName: null,
    familyName: null,
    email: `${id}@example.com`,
    phone: null,
    verifiedEmail: false,
    verifiedPhone: false,
    status: 'enabled',
    roleNames: ['admin'],
    userTenants: [{ tenantId: 'T1', tenantName: 'Acme', roleNames: ['r'] }],
    customAttributes: { plan: 'pro', seats: 3, trial: false },
    picture: null,
    test: false,
    createdAt: 1_795_000_000_000 + id.charCodeAt(1),
    lastLoginAt: null,
    ...values,
  };
}

/** How many transactions the DataSource starts from now on (PostgreSQL: each runAtomically is one). */
function countTransactions(dataSource: DataSource): () => number {
  let count = 0;
  const runner = dataSource.createQueryRunner();
  const prototype = Object.getPrototypeOf(runner) as { startTransaction: (...args: unknown[]) => Promise<void> };
  void runner.release();
  const start = prototype.startTransaction;
  prototype.startTransaction = function (this: unknown, ...args: unknown[]) {
    count++;
    return start.apply(this, args);
  };
  return () => {
    prototype.startTransaction = start;
    return count;
  };
}

for (const kind of DATABASE_KINDS) {
  describe(`UsersRepository on ${kind}`, () => {
    async function open(env: Record<string, string> = {}): Promise<{ repository: UsersRepository; dataSource: DataSource }> {
      const dataSource = await migratedDatabase(kind);
      return { repository: new UsersRepository(dataSource.getRepository(UserEntity), dataSource.getRepository(LoginIdEntity), dataSource, configFor(kind, env)), dataSource };
    }

    it('stores a user with its login IDs and answers concurrent lookups, each with its own plain record', async () => {
      const { repository } = await open();
      await repository.insert(user('U1'), ['u1@example.com', 'alias1']);
      await repository.insert(user('U2', 'P1', { phone: '+14155550100' }), ['+14155550100']);
      await repository.insert(user('U3', 'P2'), ['u1@example.com']);
      const [a, b, c, other, none] = await Promise.all([
        repository.findByLoginId('P1', 'alias1'),
        repository.findByLoginId('P1', '+14155550100'),
        repository.findByLoginId('P1', 'u1@example.com'),
        repository.findByLoginId('P2', 'u1@example.com'),
        repository.findByLoginId('P1', 'nobody'),
      ]);
      assert.deepEqual(a, { user: user('U1'), loginIds: ['u1@example.com', 'alias1'] });
      assert.ok(!(a!.user instanceof UserEntity), 'a plain read model, not an entity');
      assert.deepEqual(b?.loginIds, ['+14155550100']);
      assert.deepEqual(c, a);
      assert.notEqual(c!.loginIds, a!.loginIds);
      assert.equal(other?.user.id, 'U3');
      assert.equal(none, null);
      assert.deepEqual(await repository.findById('P1', 'U1'), a);
      assert.equal(await repository.findById('P2', 'U1'), null);
    });

    it('looks users up as a statement planned once on PostgreSQL, or, with DATABASE_PREPARED_STATEMENTS=false, as an ordinary one', async () => {
      for (const prepared of ['true', 'false']) {
        const { repository, dataSource } = await open({ DATABASE_PREPARED_STATEMENTS: prepared });
        await repository.insert(user('U1'), ['u1', 'alias1']);
        const [found, none] = await Promise.all([repository.findByLoginId('P1', 'alias1'), repository.findByLoginId('P1', 'nobody')]);
        assert.deepEqual(found, { user: user('U1'), loginIds: ['u1', 'alias1'] });
        assert.equal(none, null);
        if (kind !== 'postgres') continue;
        const sessions = (await dataSource.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%unnest(%' AND pid <> pg_backend_pid()`,
        )) as { n: number }[];
        assert.equal(sessions[0]!.n, prepared === 'true' ? 1 : 0, `DATABASE_PREPARED_STATEMENTS=${prepared}`);
      }
    });

    it('finds login IDs that array literals must escape: quotes, backslashes, braces, commas, NULL, spaces', async () => {
      const { repository } = await open();
      const odd = ['a"b@example.com', 'back\\slash', '{x,y}', 'NULL', ' padded ', "o'hara", 'zoë ✓', 'x'.repeat(320)];
      await Promise.all(odd.map((loginId, i) => repository.insert(user(`U${i}`), [loginId])));
      const found = await Promise.all([...odd, 'null', '{x', 'nobody'].map((loginId) => repository.findByLoginId('P1', loginId)));
      assert.deepEqual(
        found.map((record) => record?.user.id ?? null),
        [...odd.map((_, i) => `U${i}`), null, null, null],
      );
    });

    it('inserts nothing when a login ID is taken', async () => {
      const { repository } = await open();
      await repository.insert(user('U1'), ['taken']);
      await assert.rejects(repository.insert(user('U2'), ['fresh', 'taken']), LoginIdTaken);
      assert.equal(await repository.findById('P1', 'U2'), null);
      assert.equal(await repository.ownerOf('P1', 'fresh'), null);
    });

    it('inserts concurrent users in one transaction, and fails only the one whose login ID another of them took', async () => {
      const { repository, dataSource } = await open();
      await repository.insert(user('U0'), ['taken']);
      const transactions = countTransactions(dataSource);
      const outcomes = await Promise.allSettled([
        repository.insert(user('U1'), ['u1', 'alias1']),
        repository.insert(user('U2'), ['u2']),
        repository.insert(user('U3'), ['u3', 'taken']),
      ]);
      assert.deepEqual(
        outcomes.map((outcome) => outcome.status),
        ['fulfilled', 'fulfilled', 'rejected'],
      );
      assert.ok((outcomes[2] as PromiseRejectedResult).reason instanceof LoginIdTaken);
      assert.deepEqual(await repository.findByLoginId('P1', 'alias1'), { user: user('U1'), loginIds: ['u1', 'alias1'] });
      assert.equal((await repository.findById('P1', 'U2'))?.loginIds[0], 'u2');
      assert.equal(await repository.findById('P1', 'U3'), null);
      assert.equal(await repository.ownerOf('P1', 'u3'), null);
      if (kind === 'postgres') assert.equal(transactions(), 4, 'the batch, then each of its three users on its own');

      const again = countTransactions(dataSource);
      await Promise.all(['U4', 'U5', 'U6'].map((id) => repository.insert(user(id), [id.toLowerCase()])));
      if (kind === 'postgres') assert.equal(again(), 1);
      const race = await Promise.allSettled([repository.insert(user('U7'), ['same']), repository.insert(user('U8'), ['same'])]);
      const winner = race.findIndex(({ status }) => status === 'fulfilled');
      const loser = race[1 - winner];
      assert.ok(winner >= 0 && loser?.status === 'rejected' && loser.reason instanceof LoginIdTaken, 'one of the two, either');
      assert.equal((await repository.ownerOf('P1', 'same')) === 'U7' ? 0 : 1, winner);
      assert.equal(await repository.findById('P1', winner === 0 ? 'U8' : 'U7'), null);
    });

    it('records concurrent sign-ins by e-mail and by phone, each with its own values', async () => {
      const { repository } = await open();
      await repository.insert(user('U1'), ['u1']);
      await repository.insert(user('U2'), ['u2']);
      await Promise.all([
        repository.recordSignIn({ userId: 'U1', kind: 'email', address: 'new1@example.com', at: 11 }),
        repository.recordSignIn({ userId: 'U2', kind: 'phone', address: '+14155550101', at: 22 }),
      ]);
      const [one, two] = await Promise.all([repository.findById('P1', 'U1'), repository.findById('P1', 'U2')]);
      assert.deepEqual(one?.user, user('U1', 'P1', { email: 'new1@example.com', verifiedEmail: true, lastLoginAt: 11 }));
      assert.deepEqual(two?.user, user('U2', 'P1', { phone: '+14155550101', verifiedPhone: true, lastLoginAt: 22 }));
    });

    it('updates attributes and login IDs together, or not at all', async () => {
      const { repository } = await open();
      await repository.insert(user('U1'), ['u1', 'old']);
      await repository.insert(user('U2'), ['u2']);
      await repository.update('P1', 'U1', { name: 'Ada', status: 'disabled', roleNames: [] }, ['u1', 'new']);
      assert.deepEqual(await repository.findById('P1', 'U1'), { user: user('U1', 'P1', { name: 'Ada', status: 'disabled', roleNames: [] }), loginIds: ['u1', 'new'] });
      await assert.rejects(repository.update('P1', 'U1', { name: 'Lost' }, ['u1', 'u2']), LoginIdTaken);
      assert.deepEqual((await repository.findById('P1', 'U1'))?.loginIds, ['u1', 'new']);
      assert.equal((await repository.findById('P1', 'U1'))?.user.name, 'Ada');
      await assert.rejects(repository.update('P1', 'U9', {}, ['ghost']), UserGone);
      assert.equal(await repository.ownerOf('P1', 'ghost'), null, 'no login ID of a user that does not exist');
    });

    it('changes an address with its login ID, and merges a user into another', async () => {
      const { repository } = await open();
      await repository.insert(user('U1'), ['u1@example.com', 'alias']);
      await repository.insert(user('U2'), ['u2@example.com']);
      await repository.changeAddress('P1', 'U1', { email: 'n@example.com', verifiedEmail: true }, 'u1@example.com', { loginId: 'n@example.com', position: 0 });
      assert.deepEqual(await repository.links('P1', 'U1'), [
        { loginId: 'n@example.com', position: 0 },
        { loginId: 'alias', position: 1 },
      ]);
      await assert.rejects(repository.changeAddress('P1', 'U1', {}, undefined, { loginId: 'u2@example.com', position: 2 }), LoginIdTaken);
      await repository.merge('P1', 'U1', 'U2', { email: 'u2@example.com', verifiedEmail: true });
      assert.equal(await repository.findById('P1', 'U1'), null);
      const merged = await repository.findById('P1', 'U2');
      assert.deepEqual(merged?.loginIds, ['u2@example.com', 'n@example.com', 'alias']);
      assert.equal(merged?.user.verifiedEmail, true);
      await assert.rejects(repository.merge('P1', 'U1', 'U2', {}), UserGone);
    });

    it('deletes a user with its login IDs, and searches', async () => {
      const { repository } = await open();
      await repository.insert(user('U1', 'P1', { name: 'Ada Lovelace' }), ['ada']);
      await repository.insert(user('U2', 'P1', { name: 'Grace_Hopper', test: true }), ['grace']);
      await repository.insert(user('U3', 'P1', { name: 'Alan' }), ['alan']);
      const names = async (filter: object) =>
        (await repository.search('P1', { page: 0, limit: 10, ...filter })).records.map((record) => record.user.name);
      assert.deepEqual(await names({}), ['Ada Lovelace', 'Alan']);
      assert.deepEqual(await names({ withTestUser: true, text: 'a' }), ['Ada Lovelace', 'Grace_Hopper', 'Alan']);
      assert.deepEqual(await names({ testUsersOnly: true, text: '_' }), ['Grace_Hopper']);
      assert.deepEqual(await names({ loginIds: ['ALAN'] }), ['Alan']);
      assert.equal((await repository.search('P1', { page: 1, limit: 1 })).total, 2);
      await repository.delete('P1', 'U1');
      assert.equal(await repository.findById('P1', 'U1'), null);
      assert.equal(await repository.ownerOf('P1', 'ada'), null);
    });
  });
}
