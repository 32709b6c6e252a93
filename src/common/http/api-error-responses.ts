import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto.js';

/** Documents the error body on a controller's routes. */
export const ApiErrorResponses = () =>
  applyDecorators(
    ApiResponse({ status: 400, description: 'Malformed or invalid request (E011001, E011002, E011003) or a flow error', type: ErrorResponseDto }),
    ApiResponse({ status: 401, description: 'Missing bearer, unknown project, wrong or expired code', type: ErrorResponseDto }),
    ApiResponse({ status: 429, description: 'Too many attempts (E061103) or rate limited (E130429, with Retry-After)', type: ErrorResponseDto }),
  );
