import { Injectable } from '@nestjs/common';
import { newId } from '../common/crypto/random.js';
import { DomainError } from '../common/errors/domain-error.js';
import { LoginIdTaken, UsersRepository } from './users.repository.js';
import { type AddressKind, type User, type UserAttributes, type UserProfile, type UserRecord, uniqueLoginIds } from './users.types.js';

/** Creates users: at the verify of a sign-up, and through the management API. */
@Injectable()
export class UserCreationService {
  constructor(private readonly users: UsersRepository) {}

  /**
   * Creates the user of a verified sign-up: one login ID, the profile that waited in the challenge,
   * the address the code went to marked verified, and this verification as its first sign-in. One
   * transaction, the login ID's primary key as the uniqueness gate: the loser of a race (or a
   * sign-up whose login ID was taken since the code was sent) gets USER_EXISTS and leaves nothing.
   */
  createVerified(projectId: string, loginId: string, profile: UserProfile, kind: AddressKind, address: string): Promise<UserRecord> {
    const verified = kind === 'email' ? { email: address, verifiedEmail: true } : { phone: address, verifiedPhone: true };
    return this.createWith(
      projectId,
      [loginId],
      {
        name: profile.name ?? null,
        givenName: profile.givenName ?? null,
        middleName: profile.middleName ?? null,
        familyName: profile.familyName ?? null,
        email: profile.email ?? null,
        phone: profile.phone ?? null,
        verifiedEmail: false,
        verifiedPhone: false,
        ...verified,
        status: 'enabled',
        roleNames: [],
        userTenants: [],
        customAttributes: {},
        picture: null,
        test: false,
      },
      Date.now(),
    );
  }

  /**
   * Creates a user with all its login IDs at once (the first is the primary one), in one
   * transaction; USER_EXISTS if one is taken, and then nothing is left behind. `signedInAt`: the
   * user's first sign-in, when creating it is one.
   */
  async createWith(projectId: string, loginIds: string[], attributes: UserAttributes, signedInAt: number | null = null): Promise<UserRecord> {
    const ids = uniqueLoginIds(loginIds);
    const user: User = { ...attributes, id: newId('U'), projectId, createdAt: Date.now(), lastLoginAt: signedInAt };
    try {
      await this.users.insert(user, ids);
    } catch (error) {
      if (error instanceof LoginIdTaken) throw new DomainError('USER_EXISTS', `A login ID of ${JSON.stringify(ids)} is already taken`);
      throw error;
    }
    return { user, loginIds: ids };
  }
}
