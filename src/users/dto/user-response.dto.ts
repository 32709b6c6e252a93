import type { UserStatus } from '../user.entity.js';

export class UserTenantDto {
  /** @example "T2abc" */
  tenantId: string;
  /** @example "Acme" */
  tenantName: string;
  roleNames: string[];
}

/** The user object of ../shared/API.md. */
export class UserResponseDto {
  /** @example "U2xR0bkYRh6bMbfpTqTWtEqPVTpI" */
  userId: string;
  /** @example ["ada@example.com"] */
  loginIds: string[];
  /** @example "Ada Lovelace" */
  name: string;
  /** @example "Ada" */
  givenName: string;
  middleName: string;
  /** @example "Lovelace" */
  familyName: string;
  /** @example "ada@example.com" */
  email: string;
  /** @example "+14155550100" */
  phone: string;
  verifiedEmail: boolean;
  verifiedPhone: boolean;
  /** @example "enabled" */
  status: UserStatus;
  /** Unix seconds. @example 1764100000 */
  createdTime: number;
  roleNames: string[];
  userTenants: UserTenantDto[];
  customAttributes: Record<string, string | number | boolean | null>;
  picture: string;
  test: boolean;
  /** Whether the user has a TOTP authenticator: always false, this server signs in by OTP only. */
  TOTP: boolean;
  /** Whether the user signs in by SAML: always false here. */
  SAML: boolean;
  /** Whether the user was provisioned by SCIM: always false here. */
  SCIM: boolean;
  /** Whether the user has a password: always false here. */
  password: boolean;
  /** OAuth providers the user has signed in with, by name: always `{}` here. @example {} */
  OAuth: Record<string, boolean>;
}
