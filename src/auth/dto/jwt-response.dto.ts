import { UserResponseDto } from '../../users/dto/user-response.dto.js';

/** The JWT response of verify and refresh. */
export class JwtResponseDto {
  /** RS256 session JWT (`drn` = DS), short-lived. @example "eyJhbGciOiJSUzI1NiIsImtpZCI6IlAy..." */
  sessionJwt: string;
  /** RS256 refresh JWT (`drn` = DSR), long-lived. @example "eyJhbGciOiJSUzI1NiIsImtpZCI6IlAy..." */
  refreshJwt: string;
  /** @example "" */
  cookieDomain: string;
  /** @example "/" */
  cookiePath: string;
  /** Seconds. @example 2419200 */
  cookieMaxAge: number;
  /** Unix seconds. @example 1766519200 */
  cookieExpiration: number;
  /** Unix seconds. @example 1764100600 */
  sessionExpiration: number;
  user: UserResponseDto;
  /** True on the first sign-in of a new user. */
  firstSeen: boolean;
}
