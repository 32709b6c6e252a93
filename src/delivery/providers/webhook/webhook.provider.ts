import { Webhook } from 'standardwebhooks';
import type { MessageProvider, OutboundMessage, ProviderResult } from '../../delivery.types.js';
import { errorForStatus, fetchWithTimeout } from '../http-errors.js';

/** The JSON body POSTed to DELIVERY_WEBHOOK_URL. */
export interface DeliveryWebhookPayload {
  /** notice: the address was changed; account-exists: a sign-up with an existing user's address (anti-enumeration mode). */
  type: 'otp' | 'notice' | 'account-exists';
  channel: string;
  /** E.164 number, or e-mail address. */
  to: string;
  /** Null in a notice. */
  code: string | null;
  /** The rendered message (for voice, the script as spoken). */
  text: string;
  locale: string;
  projectId: string;
  loginId: string | null;
  /** Unix seconds; null in a notice. */
  expiresAt: number | null;
}

/**
 * Hands the message to any HTTP endpoint, signed per Standard Webhooks
 * (https://www.standardwebhooks.com): `webhook-id` is the job ID, so a receiver can drop the
 * duplicates a retry may produce.
 */
export class WebhookProvider implements MessageProvider {
  readonly name = 'webhook';
  private readonly signer: Webhook;

  constructor(
    private readonly url: string,
    secret: string,
  ) {
    this.signer = new Webhook(secret);
  }

  async send(message: OutboundMessage): Promise<ProviderResult> {
    const payload: DeliveryWebhookPayload = {
      type: message.type,
      channel: message.channel,
      to: message.to,
      code: message.code ?? null,
      text: message.text,
      locale: message.locale,
      projectId: message.projectId,
      loginId: message.loginId ?? null,
      expiresAt: message.expiresAt === undefined ? null : Math.floor(message.expiresAt / 1000),
    };
    const body = JSON.stringify(payload);
    const id = `msg_${message.id}`;
    const timestamp = new Date();
    const response = await fetchWithTimeout('Delivery webhook', this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': this.signer.sign(id, timestamp, body),
      },
      body,
    });
    const detail = response.ok ? '' : (await response.text().catch(() => '')).slice(0, 200);
    if (!response.ok) throw errorForStatus('Delivery webhook', response.status, detail);
    return { providerMessageId: id };
  }
}
