/**
 * Every error code the API answers with, its HTTP status and default description. Codes that
 * Descope defines keep Descope's meaning (docs/API.md); the E0110xx/E0624xx auth codes are ours.
 */
export const ERRORS = {
  BAD_JSON: { code: 'E011001', status: 400, description: 'Malformed request' },
  MISSING_ARGUMENT: { code: 'E011002', status: 400, description: 'Missing argument' },
  INVALID_REQUEST: { code: 'E011003', status: 400, description: 'Invalid request' },
  UNAUTHORIZED: { code: 'E011004', status: 401, description: 'Missing or malformed authorization' },
  NOT_FOUND: { code: 'E011005', status: 404, description: 'Route not found' },
  PAYLOAD_TOO_LARGE: { code: 'E011006', status: 413, description: 'Request body too large' },
  UNSUPPORTED_MEDIA_TYPE: { code: 'E011007', status: 415, description: 'Unsupported content type' },
  WRONG_CODE: { code: 'E061102', status: 401, description: 'Wrong OTP code' },
  TOO_MANY_ATTEMPTS: { code: 'E061103', status: 429, description: 'Too many wrong attempts' },
  EXPIRED_CODE: { code: 'E061104', status: 401, description: 'Expired OTP code' },
  USER_EXISTS: { code: 'E062107', status: 400, description: 'User already exists' },
  USER_NOT_FOUND: { code: 'E062108', status: 400, description: 'User not found' },
  LOGIN_ID_CONFLICT: { code: 'E062125', status: 400, description: 'Login ID already used by another user' },
  UNKNOWN_PROJECT: { code: 'E062401', status: 401, description: 'Unknown project' },
  INVALID_REFRESH_TOKEN: { code: 'E062402', status: 401, description: 'Invalid or expired refresh token' },
  INVALID_MANAGEMENT_KEY: { code: 'E062403', status: 401, description: 'Invalid management key' },
  USER_DISABLED: { code: 'E062404', status: 401, description: 'User is disabled' },
  LOGIN_ID_NOT_OWNED: { code: 'E062405', status: 401, description: 'The login ID does not belong to the authenticated user' },
  MGMT_USER_NOT_FOUND: { code: 'E112102', status: 404, description: 'User not found' },
  RATE_LIMITED: { code: 'E130429', status: 429, description: 'Rate limit exceeded' },
  SERVICE_UNAVAILABLE: { code: 'E010500', status: 500, description: 'A backing service is unavailable' },
  INTERNAL: { code: 'E010000', status: 500, description: 'Internal server error' },
} as const;

export type ErrorKind = keyof typeof ERRORS;
