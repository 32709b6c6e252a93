export const CHANNELS = ['email', 'sms', 'voice', 'whatsapp'] as const;
export type Channel = (typeof CHANNELS)[number];

export type Purpose = 'signup' | 'signin' | 'signup-in' | 'update-email' | 'update-phone';

export interface OtpPolicy {
  length: number;
  expirySeconds: number;
  maxAttempts: number;
}

/** Wrong attempts allowed per login ID over a rolling window, whatever code is current. */
export interface AttemptBudget {
  limit: number;
  windowMs: number;
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

export interface VerifiedChallenge {
  challengeId: string;
  purpose: Purpose;
  context: ChallengeContext;
}
