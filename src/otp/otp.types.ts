export { CHANNELS, type Channel } from '../channels/channels.js';

export type Purpose = 'signup' | 'signin' | 'signup-in' | 'update-email' | 'update-phone';

export interface OtpPolicy {
  length: number;
  expirySeconds: number;
  maxAttempts: number;
}

/**
 * Wrong attempts allowed over a rolling window, whatever code is current: per login ID (`limit`,
 * all clients together) and per login ID and client (`clientLimit`).
 */
export interface AttemptBudget {
  limit: number;
  clientLimit: number;
  windowMs: number;
  /** Who is guessing: the client IP (IPv6: its /64), as the per-IP rate limits count it. */
  client: string;
}

/** What a verification needs to finish the flow that sent the code. */
export interface ChallengeContext {
  /** The address the code went to. */
  target: string;
  /** Set by update flows: the login ID the user had when asking. */
  [key: string]: unknown;
}

export interface IssuedChallenge {
  challengeId: string;
  code: string;
  expiresAt: number;
}

/**
 * A challenge made but not stored yet: `store()` issues it on its own, or a script that checks the
 * send limits issues it with them, running ISSUE_STEP on `key` and `args`.
 */
export interface PreparedChallenge extends IssuedChallenge {
  key: string;
  args: (string | number)[];
  store(): Promise<void>;
}

export interface VerifiedChallenge {
  challengeId: string;
  purpose: Purpose;
  context: ChallengeContext;
}
