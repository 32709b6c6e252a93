export class JwkDto {
  /** @example "RSA" */
  kty: string;
  /** @example "P2abc-xyz" */
  kid: string;
  /** @example "RS256" */
  alg: string;
  /** @example "sig" */
  use: string;
  /** Modulus, base64url. */
  n: string;
  /** @example "AQAB" */
  e: string;
}

export class JwksResponseDto {
  keys: JwkDto[];
}
