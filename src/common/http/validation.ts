import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainError } from '../errors/domain-error.js';

function flatten(errors: ValidationError[], parent = ''): { path: string; missing: boolean; messages: string[] }[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints
      ? [{ path, missing: error.value === undefined || error.value === null, messages: Object.values(error.constraints) }]
      : [];
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/**
 * Validation failures become E011002 when a required argument is absent and E011003 otherwise,
 * with a message that names the field. Unknown keys are dropped, not rejected (SDKs send extras).
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: false,
    forbidUnknownValues: false,
    stopAtFirstError: true,
    exceptionFactory: (errors) => {
      const problems = flatten(errors);
      const first = problems[0];
      const message = problems.map((p) => (p.path.includes('.') ? `${p.path}: ` : '') + p.messages.join(', ')).join('; ');
      return new DomainError(first?.missing ? 'MISSING_ARGUMENT' : 'INVALID_REQUEST', message || 'Invalid request');
    },
  });
}
