import { ERRORS, type ErrorKind } from './error-codes.js';

/**
 * The one error type services throw. It carries a stable code and says nothing about HTTP: the
 * exception filter maps it to the wire body and status.
 */
export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message?: string,
    /** Seconds the caller should wait before retrying, for rate limits. */
    readonly retryAfter?: number,
  ) {
    super(message ?? ERRORS[kind].description);
    this.name = 'DomainError';
  }

  get code(): string {
    return ERRORS[this.kind].code;
  }
}
