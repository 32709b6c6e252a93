import type { Channel, Purpose } from '../otp/otp.types.js';

/**
 * otp: a code. notice: tells a user at their old address that it was changed; carries no code.
 * account-exists: "you already have an account", sent instead of a code when someone signs up with
 * an existing user's address in anti-enumeration mode; carries no code. none: queued for an unknown
 * login ID in anti-enumeration mode so that the answer takes the same work; the worker sends nothing.
 * account-exists and none exist only in the sealed payload: in the queue they are `otp` jobs like
 * any other, so that whoever reads the queue (the dashboard) cannot tell which login IDs exist.
 */
export type DeliveryJobType = 'otp' | 'notice' | 'account-exists' | 'none';

/** What a delivery job carries. The recipient, the login ID and the code travel sealed (AES-256-GCM). */
export interface DeliveryJobData {
  /** The delivery record the worker writes (see deliveryIdOf); absent on notices. */
  deliveryId?: string;
  /** The fallback step (0: the channel asked for); absent means 0. */
  step?: number;
  /** `otp` or `notice`; the sealed payload says what an `otp` job really sends. Absent on old jobs: codes. */
  type?: DeliveryJobType;
  /** The challenge for a code; a random ID of its own for a notice. Also the BullMQ job ID. */
  challengeId: string;
  projectId: string;
  projectName: string;
  channel: Channel;
  purpose: Purpose;
  /** When the code expires (epoch ms); when the notice was queued, for a notice. */
  expiresAt: number;
  locale?: string;
  requestId?: string;
  /** The project's WebOTP domain, for the last line of an SMS. */
  webOtpDomain?: string;
  /** SecretsService.seal('job-seal', JSON of SealedPayload, sealContext(...)). */
  sealed: string;
}

export interface SealedPayload {
  /** What the job sends (otp, account-exists, none); absent on jobs queued before it was sealed. */
  type?: Exclude<DeliveryJobType, 'notice'>;
  to: string;
  /** Absent in a notice. */
  code?: string;
  loginId?: string;
  templateOptions?: Record<string, string>;
  /** Notices: the new address, already masked. */
  newAddress?: string;
}

/** What a delivery record is written from: a queued job, and what its sealed part says. */
export interface QueuedDelivery {
  id: string;
  challengeId: string;
  projectId: string;
  loginId: string;
  channel: Channel;
  /** The full address; records keep it masked. */
  to: string;
  step: number;
  requestId?: string;
  /** When the job was queued (its BullMQ timestamp). */
  createdAt: number;
}

export function sealContext(projectId: string, challengeId: string): string {
  return `delivery:${projectId}:${challengeId}`;
}

/** One step of a voice script. */
export type VoiceSegment = { say: string } | { pause: number };

/** A message rendered from a template, in one language. */
export interface RenderedMessage {
  /** The catalog language actually used (after fallback). */
  locale: string;
  subject: string;
  /** The whole message as plain text (for voice: the script as it is spoken). */
  text: string;
  html?: string;
  /** Voice only: what to say and where to pause, for providers that speak it. */
  voice?: { language: string; segments: VoiceSegment[] };
}

/** A rendered message, ready for a provider. */
export interface OutboundMessage extends RenderedMessage {
  /** The job's ID: stable across retries, so a receiver can drop duplicates by it. */
  id: string;
  /** A `none` job is never rendered. */
  type: Exclude<DeliveryJobType, 'none'>;
  channel: Channel;
  to: string;
  projectId: string;
  loginId?: string;
  /** Only for providers that pass the code on as data (the webhook); absent in a notice. */
  code?: string;
  /** Epoch ms; absent in a notice. */
  expiresAt?: number;
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
  /** Releases pooled connections at shutdown. */
  close?(): void;
}
