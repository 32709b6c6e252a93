import type { Channel, Purpose } from '../otp/otp.types.js';

export const DELIVERY_QUEUE = 'delivery';

/** What a delivery job carries. The recipient and the code travel sealed (AES-256-GCM). */
export interface DeliveryJobData {
  /** The delivery record the worker moves along (queued → sent | failed). */
  deliveryId: string;
  challengeId: string;
  projectId: string;
  projectName: string;
  channel: Channel;
  purpose: Purpose;
  expiresAt: number;
  locale?: string;
  requestId?: string;
  /** SecretsService.seal('job-seal', JSON of SealedPayload, sealContext(...)). */
  sealed: string;
}

export interface SealedPayload {
  to: string;
  code: string;
  templateOptions?: Record<string, string>;
}

export function sealContext(projectId: string, challengeId: string): string {
  return `delivery:${projectId}:${challengeId}`;
}

/** A rendered message, ready for a provider. */
export interface OutboundMessage {
  channel: Channel;
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface ProviderResult {
  providerMessageId?: string;
}

/** What the worker learns from a successful hand-off. */
export interface DeliveryOutcome extends ProviderResult {
  provider: string;
}

/** Thrown by a provider when retrying cannot help (bad address, unsubscribed recipient). */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}

/** The one interface every outside messaging system sits behind. */
export interface MessageProvider {
  readonly name: string;
  send(message: OutboundMessage): Promise<ProviderResult>;
}
