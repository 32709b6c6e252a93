import type { FastifyCorsOptions } from '@fastify/cors';
import type { FastifyRequest } from 'fastify';
import { parseBearer } from '../common/http/bearer.js';
import type { AppConfig } from '../config/app-config.js';
import type { ProjectsService } from '../projects/projects.service.js';

/** Request headers a browser may send besides the SDKs' own `x-descope-*` headers. */
const BASE_HEADERS = ['authorization', 'content-type', 'accept', 'accept-language', 'x-request-id'];

/**
 * CORS for browser apps (Descope's web SDK calls the API directly). An origin is allowed when
 * CORS_ORIGINS lists it or the request's project lists it in its `corsOrigins` setting. A preflight
 * carries no Authorization header, so it is answered for an origin that any project allows; the
 * real request is then checked against its own project.
 */
export function corsOptionsDelegate(config: AppConfig, projects: ProjectsService) {
  const global = new Set(config.corsOrigins);
  return async (request: FastifyRequest): Promise<FastifyCorsOptions> => {
    const origin = request.headers.origin;
    const allowed = origin !== undefined && (global.has(origin) || (await projectAllows(request, origin, projects)));
    if (!allowed) return { origin: false };
    return {
      origin,
      credentials: true,
      methods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
      allowedHeaders: allowedHeaders(request.headers['access-control-request-headers']),
      exposedHeaders: ['Retry-After', 'X-Request-Id'],
      maxAge: 600,
    };
  };
}

async function projectAllows(request: FastifyRequest, origin: string, projects: ProjectsService): Promise<boolean> {
  try {
    if (request.method === 'OPTIONS') return (await projects.allCorsOrigins()).has(origin);
    const { projectId } = parseBearer(request.headers.authorization);
    return (await projects.find(projectId))?.settings.corsOrigins.includes(origin) ?? false;
  } catch {
    return false;
  }
}

/** The base headers plus every `x-descope-*` header the preflight asks for. */
function allowedHeaders(requested: string | string[] | undefined): string[] {
  const asked = String(requested ?? '')
    .split(',')
    .map((header) => header.trim().toLowerCase())
    .filter((header) => header.startsWith('x-descope-'));
  return [...BASE_HEADERS, ...asked];
}
