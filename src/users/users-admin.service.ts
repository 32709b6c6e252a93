import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { LoginIdTaken, UserGone, UsersRepository } from './users.repository.js';
import { type UserAttributes, type UserRecord, type UserSearch, uniqueLoginIds } from './users.types.js';

/** What the management API does to users beyond creating them: change, delete, search. */
@Injectable()
export class UsersAdminService {
  constructor(private readonly users: UsersRepository) {}

  /**
   * Changes a user's attributes and, when `additionalLoginIds` is given, replaces every login ID but
   * the primary one; LOGIN_ID_CONFLICT when another user has one of them. Answers the user as it now is.
   */
  async updateWith(record: UserRecord, changes: Partial<UserAttributes>, additionalLoginIds?: string[]): Promise<UserRecord> {
    const { user } = record;
    const loginIds = additionalLoginIds ? uniqueLoginIds([record.loginIds[0]!, ...additionalLoginIds]) : record.loginIds;
    try {
      await this.users.update(user.projectId, user.id, changes, additionalLoginIds ? loginIds : undefined);
    } catch (error) {
      if (error instanceof LoginIdTaken) throw new DomainError('LOGIN_ID_CONFLICT', 'A login ID is already used by another user');
      if (error instanceof UserGone) throw new DomainError('MGMT_USER_NOT_FOUND', `No user ${JSON.stringify(user.id)} in this project`);
      throw error;
    }
    return { user: { ...user, ...changes }, loginIds };
  }

  delete(projectId: string, userId: string): Promise<void> {
    return this.users.delete(projectId, userId);
  }

  /** One page of the project's users matching every given filter, oldest first, and the number of matches. */
  search(projectId: string, filter: UserSearch): Promise<{ records: UserRecord[]; total: number }> {
    return this.users.search(projectId, filter);
  }
}
