import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseBearer } from '../common/http/bearer.js';
import { equalSecrets } from '../common/crypto/constant-time.js';
import type { AppConfig } from '../config/app-config.js';
import type { ProjectsService } from '../projects/projects.service.js';
import type { RedisClient } from '../redis/redis-client.js';

export const DASHBOARD_PATH = '/admin/queues';

/** Failed dashboard logins per client IP and window; beyond it the IP gets 429 until the window ends. */
const LOGIN_FAILURES = { limit: 10, windowMs: 15 * 60_000 };

type Access = 'operator' | 'viewer' | null;

/**
 * Mounts the bull-board queue dashboard at /admin/queues, inside its own Fastify scope whose first
 * hook refuses anyone without the ADMIN_USER/ADMIN_PASSWORD basic credentials or a management key
 * of an operator project (ADMIN_PROJECT_IDS). Not mounted at all when neither is configured.
 *
 * A management key only looks (GET): acting on the queue (pause, retry, clean, remove: every other
 * method) pauses or drops every tenant's messages, so it takes the operator credentials. Failed
 * logins count per client IP in Redis (LOGIN_FAILURES), so the password cannot be guessed at speed.
 */
export async function mountQueueDashboard(
  fastify: FastifyInstance,
  config: AppConfig,
  projects: ProjectsService,
  queues: Queue[],
  redis: RedisClient,
): Promise<boolean> {
  const { user, password, operatorProjectIds } = config.admin;
  if (!(user && password) && operatorProjectIds.length === 0) return false;

  const serverAdapter = new BullBoardFastifyAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter, options: { uiConfig: { boardTitle: 'OTP delivery' } } });

  const access = async (request: FastifyRequest): Promise<Access> => {
    const header = request.headers.authorization ?? '';
    const basic = /^Basic\s+(\S+)$/i.exec(header);
    if (basic && user && password) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return colon > 0 && equalSecrets(decoded.slice(0, colon), user) && equalSecrets(decoded.slice(colon + 1), password) ? 'operator' : null;
    }
    if (/^Bearer\s/i.test(header) && operatorProjectIds.length) {
      try {
        const { projectId, secret } = parseBearer(header);
        return !!secret && operatorProjectIds.includes(projectId) && (await projects.isManagementKey(projectId, secret)) ? 'viewer' : null;
      } catch {
        return null;
      }
    }
    return null;
  };

  const failureKey = (ip: string) => `{dashboard}:login-failures:${ip}`;
  const refuse = (reply: FastifyReply, status: number, errorCode: string, errorDescription: string, errorMessage: string) =>
    reply.status(status).send({ errorCode, errorDescription, errorMessage });

  await fastify.register(async (scope) => {
    scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const key = failureKey(request.ip);
      const blockedFor = await blockedMs(redis, key);
      if (blockedFor > 0) {
        void reply.header('retry-after', String(Math.ceil(blockedFor / 1000)));
        return refuse(reply, 429, 'E130429', 'Rate limit exceeded', 'Too many failed dashboard logins from this address');
      }
      const granted = await access(request);
      if (granted === 'operator' || (granted === 'viewer' && request.method === 'GET')) return;
      if (granted === 'viewer') {
        return refuse(reply, 403, 'E011004', 'Missing or malformed authorization', 'Acting on the queues needs the ADMIN_USER/ADMIN_PASSWORD credentials; a management key may only look');
      }
      if (request.headers.authorization) await countFailure(redis, key);
      void reply.header('www-authenticate', 'Basic realm="queues", charset="UTF-8"');
      return refuse(reply, 401, 'E011004', 'Missing or malformed authorization', 'The queue dashboard needs operator credentials');
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: DASHBOARD_PATH });
  });
  return true;
}

/** Milliseconds the IP behind `key` stays refused, or 0. */
async function blockedMs(redis: RedisClient, key: string): Promise<number> {
  const [count, ttl] = await Promise.all([redis.get(key), redis.pttl(key)]);
  return Number(count ?? 0) >= LOGIN_FAILURES.limit ? Math.max(ttl, 1000) : 0;
}

async function countFailure(redis: RedisClient, key: string): Promise<void> {
  // The window starts at the first failure and is not extended by later ones.
  await redis.multi().set(key, '0', 'PX', LOGIN_FAILURES.windowMs, 'NX').incr(key).exec();
}
