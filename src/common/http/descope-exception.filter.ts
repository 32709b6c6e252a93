import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mapError } from './error-body.js';

/** The single place where errors become HTTP answers: `{errorCode, errorDescription, errorMessage}`. */
@Catch()
export class DescopeExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const mapped = mapError(exception);
    if (mapped.unexpected) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    // Refused requests in full, for debugging clients; the logger redacts the secrets they carry.
    else this.logger.debug({ msg: 'request refused', errorCode: mapped.body.errorCode, request: { method: request.method, url: request.url, headers: request.headers } });
    if (mapped.retryAfter !== undefined) reply.header('Retry-After', String(mapped.retryAfter));
    void reply.status(mapped.status).send(mapped.body);
  }
}
