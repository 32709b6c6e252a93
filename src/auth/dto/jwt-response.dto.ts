import { UserResponseDto } from '../../users/dto/user-response.dto.js';

/** The claims of the session JWT, decoded (core-js and web-js read them from here, not from the JWT). */
export class SessionClaimsDto {
  /** The project ID. */
  iss: string;
  /** The user ID. */
  sub: string;
  /** Unix seconds. */
  iat: number;
  /** Unix seconds. */
  exp: number;
  /** @example "DS" */
  drn: string;
  /** Methods used, in order. @example ["email"] */
  amr: string[];
  roles: string[];
  permissions: string[];
  /** @example {} */
  tenants: Record<string, { roles: string[]; permissions: string[] }>;
  /** The sign-in's `loginOptions.customClaims`, when there were any. @example {"plan": "pro"} */
  nsec?: Record<string, unknown>;
}

/** The JWT response of verify and refresh. */
export class JwtResponseDto {
  /** RS256 session JWT (`drn` = DS), short-lived. @example "eyJhbGciOiJSUzI1NiIsImtpZCI6IlAy..." */
  sessionJwt: string;
  /** RS256 refresh JWT (`drn` = DSR), long-lived. @example "eyJhbGciOiJSUzI1NiIsImtpZCI6IlAy..." */
  refreshJwt: string;
  /** The project's `cookieDomain` setting; absent when it has none. @example "example.com" */
  cookieDomain?: string;
  /** @example "/" */
  cookiePath: string;
  /** Seconds. @example 2419200 */
  cookieMaxAge: number;
  /** Unix seconds. @example 1766519200 */
  cookieExpiration: number;
  /** Unix seconds. @example 1764100600 */
  sessionExpiration: number;
  claims: SessionClaimsDto;
  user: UserResponseDto;
  /** True on the first sign-in of a new user. */
  firstSeen: boolean;
}
