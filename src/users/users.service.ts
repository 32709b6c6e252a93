import { Injectable } from '@nestjs/common';
import { AddressChangeService } from './address-change.service.js';
import type { UserResponseDto } from './dto/user-response.dto.js';
import { UserCreationService } from './user-creation.service.js';
import { UsersAdminService } from './users-admin.service.js';
import { toUserResponse } from './users.mapper.js';
import { UsersRepository } from './users.repository.js';
import {
  type AddressChange,
  type AddressChangeResult,
  type AddressKind,
  normalizeLoginId,
  type SignIn,
  type UserAttributes,
  type UserProfile,
  type UserRecord,
  type UserSearch,
} from './users.types.js';

export * from './users.types.js';

/**
 * The users as the other modules see them: the hot lookups and sign-ins here, creation, address
 * changes and management in the services this one hands on to. Every answer is a plain read model
 * (UserRecord); nothing handed out is changed afterwards.
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly creation: UserCreationService,
    private readonly addresses: AddressChangeService,
    private readonly admin: UsersAdminService,
  ) {}

  /**
   * The user of a login ID with all of the user's login IDs in order, or null. It runs on every send
   * and verify, so concurrent lookups share one query.
   */
  findByLoginId(projectId: string, loginId: string): Promise<UserRecord | null> {
    return this.users.findByLoginId(projectId, normalizeLoginId(loginId));
  }

  findById(projectId: string, userId: string): Promise<UserRecord | null> {
    return this.users.findById(projectId, userId);
  }

  /**
   * Records a successful verification of `address` over `kind`: the address becomes the user's,
   * verified. Answers the user as it now is, and whether this was its first sign-in.
   */
  async recordVerifiedSignIn(record: UserRecord, kind: AddressKind, address: string): Promise<SignIn> {
    const at = Date.now();
    await this.users.recordSignIn({ userId: record.user.id, kind, address, at });
    const verified = kind === 'email' ? { email: address, verifiedEmail: true } : { phone: address, verifiedPhone: true };
    return { record: { ...record, user: { ...record.user, ...verified, lastLoginAt: at } }, firstSeen: record.user.lastLoginAt === null };
  }

  createVerified(projectId: string, loginId: string, profile: UserProfile, kind: AddressKind, address: string): Promise<UserRecord> {
    return this.creation.createVerified(projectId, loginId, profile, kind, address);
  }

  createWith(projectId: string, loginIds: string[], attributes: UserAttributes, signedInAt: number | null = null): Promise<UserRecord> {
    return this.creation.createWith(projectId, loginIds, attributes, signedInAt);
  }

  changeAddress(projectId: string, userId: string, kind: AddressKind, address: string, options: AddressChange = {}): Promise<AddressChangeResult> {
    return this.addresses.changeAddress(projectId, userId, kind, address, options);
  }

  updateWith(record: UserRecord, changes: Partial<UserAttributes>, additionalLoginIds?: string[]): Promise<UserRecord> {
    return this.admin.updateWith(record, changes, additionalLoginIds);
  }

  delete(projectId: string, userId: string): Promise<void> {
    return this.admin.delete(projectId, userId);
  }

  search(projectId: string, filter: UserSearch): Promise<{ records: UserRecord[]; total: number }> {
    return this.admin.search(projectId, filter);
  }

  static toResponse(record: UserRecord): UserResponseDto {
    return toUserResponse(record);
  }
}
