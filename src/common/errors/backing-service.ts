/**
 * Recognises the errors that mean "Redis or the database is unreachable" rather than a bug, so the
 * API answers them as SERVICE_UNAVAILABLE (500 E010500; not 503, which the SDKs retry for seconds).
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const DATABASE_CODES = new Set([
  // PostgreSQL: connection exceptions, shutting down, cannot connect now, too many connections.
  '08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '53300',
  // SQLite: the file cannot be opened, read or written.
  'SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_READONLY', 'SQLITE_BUSY', 'SQLITE_FULL',
]);
const MESSAGES = [
  /^Connection is closed/,
  /^Command timed out/,
  /Stream isn't writeable/,
  /Reached the max retries per request limit/,
  /^Connection terminated/,
  /^Client was closed and is not queryable/,
  /timeout exceeded when trying to connect/i,
  /Connection is not established/i,
  /^Driver not Connected/i,
];

export function isBackingServiceFailure(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 3) return false;
  const e = error as { name?: unknown; code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
  if (e.name === 'MaxRetriesPerRequestError') return true;
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || DATABASE_CODES.has(e.code))) return true;
  if (typeof e.message === 'string' && MESSAGES.some((pattern) => pattern.test(e.message as string))) return true;
  return isBackingServiceFailure(e.driverError, depth + 1) || isBackingServiceFailure(e.cause, depth + 1);
}
