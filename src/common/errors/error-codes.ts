/**
 * Every error code the API answers with, its HTTP status, default description, and when it is
 * answered (the README's errors table is generated from `when`: npm run docs:config). Codes that
 * Descope defines keep Descope's meaning (docs/API.md); the E0110xx/E0624xx auth codes are ours.
 */
export const ERRORS = {
  BAD_JSON: { code: 'E011001', status: 400, description: 'Malformed request', when: 'malformed JSON' },
  MISSING_ARGUMENT: { code: 'E011002', status: 400, description: 'Missing argument', when: 'missing argument (the message names it)' },
  INVALID_REQUEST: { code: 'E011003', status: 400, description: 'Invalid request', when: 'invalid argument (the message names it)' },
  UNAUTHORIZED: { code: 'E011004', status: 401, description: 'Missing or malformed authorization', when: 'missing or malformed `Authorization` bearer' },
  NOT_FOUND: { code: 'E011005', status: 404, description: 'Route not found', when: 'no such route' },
  PAYLOAD_TOO_LARGE: { code: 'E011006', status: 413, description: 'Request body too large', when: 'body over 64 KiB' },
  UNSUPPORTED_MEDIA_TYPE: { code: 'E011007', status: 415, description: 'Unsupported content type', when: 'a body whose `Content-Type` is not JSON' },
  WRONG_CODE: { code: 'E061102', status: 401, description: 'Wrong OTP code', when: 'wrong or unknown code' },
  TOO_MANY_ATTEMPTS: { code: 'E061103', status: 429, description: 'Too many wrong attempts', when: 'too many wrong attempts: the code is dead (for this client IP)' },
  EXPIRED_CODE: { code: 'E061104', status: 401, description: 'Expired OTP code', when: 'expired code' },
  USER_EXISTS: { code: 'E062107', status: 400, description: 'User already exists', when: 'sign-up of an existing login ID (at send; or at verify, when the login ID was taken since the code was sent)' },
  USER_NOT_FOUND: { code: 'E062108', status: 400, description: 'User not found', when: 'sign-in of an unknown login ID' },
  LOGIN_ID_CONFLICT: { code: 'E062125', status: 400, description: 'Login ID already used by another user', when: 'a login ID given to the management API belongs to another user' },
  UNKNOWN_PROJECT: { code: 'E062401', status: 401, description: 'Unknown project', when: 'unknown project' },
  INVALID_REFRESH_TOKEN: { code: 'E062402', status: 401, description: 'Invalid or expired refresh token', when: 'invalid, expired or revoked refresh JWT, or one reused after its grace window' },
  INVALID_MANAGEMENT_KEY: { code: 'E062403', status: 401, description: 'Invalid management key', when: 'missing, unknown or revoked management key, or a key of another project' },
  USER_DISABLED: { code: 'E062404', status: 401, description: 'User is disabled', when: 'the user is disabled' },
  LOGIN_ID_NOT_OWNED: { code: 'E062405', status: 401, description: 'The login ID does not belong to the authenticated user', when: "an update route's `loginId` is not a login ID of the refresh JWT's user" },
  MGMT_USER_NOT_FOUND: { code: 'E112102', status: 404, description: 'User not found', when: 'management API: no such user in this project' },
  RATE_LIMITED: { code: 'E130429', status: 429, description: 'Rate limit exceeded', when: 'a rate limit; `Retry-After` says how many seconds to wait' },
  SERVICE_UNAVAILABLE: { code: 'E010500', status: 500, description: 'A backing service is unavailable', when: 'Redis or the database is unreachable; retry shortly' },
  INTERNAL: { code: 'E010000', status: 500, description: 'Internal server error', when: 'our fault; details are only in the server log' },
} as const;

export type ErrorKind = keyof typeof ERRORS;
