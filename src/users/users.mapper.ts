import type { UserResponseDto } from './dto/user-response.dto.js';
import type { UserEntity } from './user.entity.js';
import type { User, UserRecord } from './users.types.js';

/** The read model of a row: a plain object, detached from the entity. */
export function toUser(entity: UserEntity): User {
  return { ...entity };
}

/** The user object of the API. */
export function toUserResponse({ user, loginIds }: UserRecord): UserResponseDto {
  return {
    userId: user.id,
    loginIds,
    name: user.name ?? '',
    givenName: user.givenName ?? '',
    middleName: user.middleName ?? '',
    familyName: user.familyName ?? '',
    email: user.email ?? '',
    phone: user.phone ?? '',
    verifiedEmail: user.verifiedEmail,
    verifiedPhone: user.verifiedPhone,
    status: user.status,
    createdTime: Math.floor(user.createdAt / 1000),
    roleNames: user.roleNames,
    userTenants: user.userTenants,
    customAttributes: user.customAttributes,
    picture: user.picture ?? '',
    test: user.test,
    // core-js types these sign-in methods as required; none of them exists on this server.
    TOTP: false,
    SAML: false,
    SCIM: false,
    password: false,
    OAuth: {},
  };
}
