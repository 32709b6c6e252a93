import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configFor, DATABASE_KINDS, migratedDatabase } from '../../test/support/migrated-database.js';
import { DomainError } from '../common/errors/domain-error.js';
import { LoginIdEntity } from './login-id.entity.js';
import { UserEntity } from './user.entity.js';
import { UsersAdminService } from './users-admin.service.js';
import { UsersRepository } from './users.repository.js';
import type { User, UserRecord } from './users.types.js';

const failsWith = (kind: string) => (error: unknown) => error instanceof DomainError && error.kind === kind;

function user(id: string): User {
  return {
    id,
    projectId: 'P1',
    name: null,
    givenName: null,
    middleName: null,
    familyName: null,
    email: `${id}@example.com`,
    phone: null,
    verifiedEmail: true,
    verifiedPhone: false,
    status: 'enabled',
    roleNames: [],
    userTenants: [],
    customAttributes: {},
    picture: null,
    test: false,
    createdAt: 1_795_000_000_000,
    lastLoginAt: null,
  };
}

for (const kind of DATABASE_KINDS) {
  describe(`UsersAdminService on ${kind}`, () => {
    it('turns the repository refusals into the management errors, and changes nothing then', async () => {
      const dataSource = await migratedDatabase(kind);
      const repository = new UsersRepository(dataSource.getRepository(UserEntity), dataSource.getRepository(LoginIdEntity), dataSource, configFor(kind));
      const admin = new UsersAdminService(repository);
      await repository.insert(user('U1'), ['ann@example.com']);
      await repository.insert(user('U2'), ['bob@example.com']);
      const ann = (await repository.findById('P1', 'U1')) as UserRecord;

      await assert.rejects(admin.updateWith(ann, { name: 'Ann' }, ['bob@example.com']), failsWith('LOGIN_ID_CONFLICT'));
      assert.equal((await repository.findById('P1', 'U1'))!.user.name, null, 'the refused update changed nothing');

      const updated = await admin.updateWith(ann, { name: 'Ann' }, ['ann.b@example.com']);
      assert.deepEqual(updated.loginIds, ['ann@example.com', 'ann.b@example.com']);
      assert.equal((await repository.findById('P1', 'U1'))!.user.name, 'Ann');

      await repository.delete('P1', 'U1');
      await assert.rejects(admin.updateWith(ann, { name: 'Gone' }), failsWith('MGMT_USER_NOT_FOUND'));
    });
  });
}
