import { ERRORS, type ErrorKind } from '../errors/error-codes.js';
import { isBackingServiceFailure } from '../errors/backing-service.js';
import { DomainError } from '../errors/domain-error.js';

export interface ErrorBody {
  errorCode: string;
  errorDescription: string;
  errorMessage: string;
}

export interface MappedError {
  status: number;
  body: ErrorBody;
  retryAfter?: number;
  /** True for failures that are ours, not the caller's: they are logged with their stack. */
  unexpected: boolean;
}

const FASTIFY_CODES: Record<string, ErrorKind> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'BAD_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_JSON',
};

const STATUS_KINDS: Record<number, ErrorKind> = {
  400: 'INVALID_REQUEST',
  401: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

function body(kind: ErrorKind, message: string): ErrorBody {
  return { errorCode: ERRORS[kind].code, errorDescription: ERRORS[kind].description, errorMessage: message };
}

/** Maps anything thrown while handling a request to the Descope error body. */
export function mapError(error: unknown): MappedError {
  if (error instanceof DomainError) {
    return {
      status: ERRORS[error.kind].status,
      body: body(error.kind, error.message),
      retryAfter: error.retryAfter,
      unexpected: ERRORS[error.kind].status >= 500,
    };
  }
  const e = error as { code?: unknown; statusCode?: unknown; status?: unknown; message?: unknown; getStatus?: () => number };
  if (typeof e?.code === 'string' && FASTIFY_CODES[e.code]) {
    const kind = FASTIFY_CODES[e.code];
    return { status: ERRORS[kind].status, body: body(kind, String(e.message ?? ERRORS[kind].description)), unexpected: false };
  }
  const status =
    typeof e?.getStatus === 'function' ? e.getStatus() : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  if (status !== undefined && status >= 400 && status < 500) {
    const kind = STATUS_KINDS[status] ?? 'INVALID_REQUEST';
    const message = typeof e.message === 'string' ? e.message : ERRORS[kind].description;
    return { status: ERRORS[kind].status === status ? status : ERRORS[kind].status, body: body(kind, message), unexpected: false };
  }
  if (isBackingServiceFailure(error)) {
    return { status: 500, body: body('SERVICE_UNAVAILABLE', 'A backing service (Redis or the database) is unavailable: try again shortly'), unexpected: true };
  }
  return { status: 500, body: body('INTERNAL', ERRORS.INTERNAL.description), unexpected: true };
}
