import type { UserStatus, UserTenant } from './user.entity.js';

/** A user as the services hand it out: a plain, read-only snapshot of its row. */
export interface User {
  readonly id: string;
  readonly projectId: string;
  readonly name: string | null;
  readonly givenName: string | null;
  readonly middleName: string | null;
  readonly familyName: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly verifiedEmail: boolean;
  readonly verifiedPhone: boolean;
  readonly status: UserStatus;
  readonly roleNames: string[];
  readonly userTenants: UserTenant[];
  readonly customAttributes: Record<string, string | number | boolean | null>;
  readonly picture: string | null;
  readonly test: boolean;
  readonly createdAt: number;
  /** Set by the first successful verification; null means the next sign-in is the first. */
  readonly lastLoginAt: number | null;
}

export interface UserRecord {
  user: User;
  /** Normalized, in order; the first is the primary one. */
  loginIds: string[];
}

export interface UserProfile {
  name?: string;
  givenName?: string;
  middleName?: string;
  familyName?: string;
  email?: string;
  phone?: string;
}

export type AddressKind = 'email' | 'phone';

/** A verification recorded: the user as it now is, and whether it was the user's first sign-in. */
export interface SignIn {
  record: UserRecord;
  firstSeen: boolean;
}

export interface AddressChange {
  /** Make the new address an extra login ID instead of replacing the old address's login ID. */
  addToLoginIds?: boolean;
  /** When the new address is another user's login ID, merge into that user (see changeAddress). */
  mergeIntoExisting?: boolean;
}

export interface AddressChangeResult {
  /** The user who now holds the address: the same user, or the existing user merged into. */
  record: UserRecord;
  /** The address the user had before, to tell them about the change. */
  previous: string | null;
  merged: boolean;
}

/** Everything about a user that the management API sets, apart from login IDs. */
export type UserAttributes = { -readonly [K in Exclude<keyof User, 'id' | 'projectId' | 'createdAt' | 'lastLoginAt'>]: User[K] };

export interface UserSearch {
  /** Zero-based. */
  page: number;
  limit: number;
  /** Case-insensitive substring of a name, e-mail, phone or login ID. */
  text?: string;
  emails?: string[];
  phones?: string[];
  statuses?: UserStatus[];
  loginIds?: string[];
  userIds?: string[];
  withTestUser?: boolean;
  testUsersOnly?: boolean;
}

/** Login IDs are trimmed and compared case-insensitively, as e-mail addresses are. */
export function normalizeLoginId(loginId: string): string {
  return loginId.trim().toLowerCase();
}

/** Normalized, without duplicates or empty ones, in the order given. */
export function uniqueLoginIds(loginIds: string[]): string[] {
  return [...new Set(loginIds.map(normalizeLoginId).filter((id) => id !== ''))];
}
