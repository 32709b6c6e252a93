import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseBearer } from '../auth/project-auth.guard.js';
import { equalSecrets } from '../common/crypto/constant-time.js';
import type { AppConfig } from '../config/app-config.js';
import type { ProjectsService } from '../projects/projects.service.js';

export const DASHBOARD_PATH = '/admin/queues';

/**
 * Mounts the bull-board queue dashboard at /admin/queues, inside its own Fastify scope whose first
 * hook refuses anyone without the ADMIN_USER/ADMIN_PASSWORD basic credentials or a management key
 * of an operator project (ADMIN_PROJECT_IDS). Not mounted at all when neither is configured.
 */
export async function mountQueueDashboard(fastify: FastifyInstance, config: AppConfig, projects: ProjectsService, queues: Queue[]): Promise<boolean> {
  const { user, password, operatorProjectIds } = config.admin;
  if (!(user && password) && operatorProjectIds.length === 0) return false;

  const serverAdapter = new BullBoardFastifyAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter, options: { uiConfig: { boardTitle: 'OTP delivery' } } });

  const authorized = async (request: FastifyRequest): Promise<boolean> => {
    const header = request.headers.authorization ?? '';
    const basic = /^Basic\s+(\S+)$/i.exec(header);
    if (basic && user && password) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return colon > 0 && equalSecrets(decoded.slice(0, colon), user) && equalSecrets(decoded.slice(colon + 1), password);
    }
    if (/^Bearer\s/i.test(header) && operatorProjectIds.length) {
      try {
        const { projectId, secret } = parseBearer(header);
        return !!secret && operatorProjectIds.includes(projectId) && (await projects.isManagementKey(projectId, secret));
      } catch {
        return false;
      }
    }
    return false;
  };

  await fastify.register(async (scope) => {
    scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (await authorized(request)) return;
      return reply
        .status(401)
        .header('www-authenticate', 'Basic realm="queues", charset="UTF-8"')
        .send({ errorCode: 'E011004', errorDescription: 'Missing or malformed authorization', errorMessage: 'The queue dashboard needs operator credentials' });
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: DASHBOARD_PATH });
  });
  return true;
}
