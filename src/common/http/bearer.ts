import { DomainError } from '../errors/domain-error.js';

/** Parses `Authorization: Bearer <projectId>[:<secret>]`; 401 when it is not of that shape. */
export function parseBearer(header: string | undefined): { projectId: string; secret?: string } {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) throw new DomainError('UNAUTHORIZED', 'Authorization must be "Bearer <projectId>[:<token>]"');
  const value = match[1]!;
  const colon = value.indexOf(':');
  if (colon === -1) return { projectId: value };
  const secret = value.slice(colon + 1);
  if (!secret) throw new DomainError('UNAUTHORIZED', 'Empty token after the project ID in the bearer');
  return { projectId: value.slice(0, colon), secret };
}
