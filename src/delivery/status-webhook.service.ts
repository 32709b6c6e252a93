import { Injectable, Logger } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { newId } from '../common/crypto/random.js';
import { ProjectsService } from '../projects/projects.service.js';
import type { DeliveryView } from './delivery-records.service.js';

const TIMEOUT_MS = 5000;

/**
 * Tells a project's `statusWebhookUrl` about every delivery state change, signed with Standard
 * Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) so the receiver can verify it
 * with any Standard Webhooks library. Best effort: one attempt, never delays a delivery.
 */
@Injectable()
export class StatusWebhookService {
  private readonly logger = new Logger(StatusWebhookService.name);

  constructor(private readonly projects: ProjectsService) {}

  notify(delivery: DeliveryView): void {
    void this.post(delivery).catch((error: unknown) =>
      this.logger.warn({ msg: 'status webhook failed', deliveryId: delivery.deliveryId, error: (error as Error).message }),
    );
  }

  private async post(delivery: DeliveryView): Promise<void> {
    const project = await this.projects.find(delivery.projectId);
    const { statusWebhookUrl: url, statusWebhookSecret: secret } = project?.settings ?? {};
    if (!url || !secret) return;
    const id = newId('msg_');
    const timestamp = new Date();
    const body = JSON.stringify({ type: `delivery.${delivery.state}`, timestamp: timestamp.toISOString(), data: delivery });
    const signature = new Webhook(secret).sign(id, timestamp, body);
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  }
}
