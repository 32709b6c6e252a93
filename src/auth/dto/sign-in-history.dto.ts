/** One sign-in of `GET /v1/auth/me/history`. */
export class SignInHistoryDto {
  /** @example "U2xR0bkYRh6bMbfpTqTWtEqPVTpI" */
  userId: string;
  /** Unix seconds. @example 1764100000 */
  loginTime: number;
  /** Always empty: the server has no geolocation database. @example "" */
  city: string;
  /** Always empty: the server has no geolocation database. @example "" */
  country: string;
  /** The client IP of the sign-in. @example "203.0.113.7" */
  ip: string;
}
