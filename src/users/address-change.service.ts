import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { LoginIdTaken, UserGone, UsersRepository } from './users.repository.js';
import { type AddressChange, type AddressChangeResult, type AddressKind, normalizeLoginId } from './users.types.js';

/** The end of an update flow: a user's new, verified e-mail address or phone number. */
@Injectable()
export class AddressChangeService {
  constructor(private readonly users: UsersRepository) {}

  /**
   * Gives a user a new, verified e-mail address or phone number, and moves the login IDs with it, in
   * one transaction:
   * - when the old address was one of the user's login IDs, that login ID becomes the new address
   *   (same position), unless `addToLoginIds`, which adds the new address as an extra login ID;
   * - the login_ids primary key stays the uniqueness gate: if the new address is another user's
   *   login ID, the change fails with LOGIN_ID_CONFLICT (E062125)...
   * - ...unless `mergeIntoExisting` (the API's `onMergeUseExisting`). Merge rule: the EXISTING user
   *   (the one whose login ID the new address is) is kept, and the requesting user is merged into
   *   it: every login ID of the requesting user moves to the existing user (after its own), the
   *   existing user gets the address as verified, its profile otherwise unchanged, and the
   *   requesting user is deleted (the caller revokes its sessions). Proving
   *   both a session of one user and the code sent to the other's login ID is proof of owning both.
   */
  async changeAddress(projectId: string, userId: string, kind: AddressKind, address: string, options: AddressChange = {}): Promise<AddressChangeResult> {
    const newLoginId = normalizeLoginId(address);
    const current = await this.users.findById(projectId, userId);
    if (!current) throw gone();
    const previous = current.user[kind];
    const verified = kind === 'email' ? { email: address, verifiedEmail: true } : { phone: address, verifiedPhone: true };
    const owner = await this.users.ownerOf(projectId, newLoginId);
    let holder = userId;
    try {
      if (owner && owner !== userId) {
        if (!options.mergeIntoExisting) throw conflict(newLoginId);
        await this.users.merge(projectId, userId, owner, verified);
        holder = owner;
      } else {
        const links = await this.users.links(projectId, userId);
        const ownsNew = links.some((l) => l.loginId === newLoginId);
        const oldLink = previous === null ? undefined : links.find((l) => l.loginId === normalizeLoginId(previous) && l.loginId !== newLoginId);
        let remove: string | undefined;
        let add: { loginId: string; position: number } | undefined;
        if (!options.addToLoginIds && oldLink) {
          remove = oldLink.loginId;
          if (!ownsNew) add = { loginId: newLoginId, position: oldLink.position };
        } else if (options.addToLoginIds && !ownsNew) {
          add = { loginId: newLoginId, position: (links.at(-1)?.position ?? 0) + 1 };
        }
        await this.users.changeAddress(projectId, userId, verified, remove, add);
      }
    } catch (error) {
      // Another user took the address as a login ID after the look-up above.
      if (error instanceof LoginIdTaken) throw conflict(newLoginId);
      if (error instanceof UserGone) throw gone();
      throw error;
    }
    const record = await this.users.findById(projectId, holder);
    if (!record) throw gone();
    return { record, previous, merged: holder !== userId };
  }
}

function conflict(loginId: string): DomainError {
  return new DomainError('LOGIN_ID_CONFLICT', `${JSON.stringify(loginId)} is already a login ID of another user`);
}

function gone(): DomainError {
  return new DomainError('USER_NOT_FOUND', 'The user no longer exists');
}
