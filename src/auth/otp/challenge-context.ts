import { DomainError } from '../../common/errors/domain-error.js';
import type { VerifiedChallenge } from '../../otp/otp.types.js';
import type { UserProfile } from '../../users/users.service.js';

/** What every challenge keeps: the address the code went to, and the sign-in's custom claims. */
export type BaseContext = {
  target: string;
  customClaims?: Record<string, unknown>;
};

/** A sign-up (or the sign-up side of a sign-up-or-in): the user to create once the code comes back. */
export type SignUpContext = BaseContext & { profile: UserProfile };

/** A sign-in: with step-up or MFA, the methods of the bearer's session, which the new `amr` extends. */
export type SignInContext = BaseContext & { revokeOtherSessions?: true; priorAmr?: string[] };

/** An address update: whose it is and how to apply it. */
export type AddressUpdateContext = BaseContext & {
  userId: string;
  addToLoginIDs: boolean;
  onMergeUseExisting: boolean;
  locale?: string;
  templateOptions?: Record<string, string>;
};

/**
 * Anti-enumeration stand-ins (the account-exists notice, a sign-in for nobody): they cost what a real
 * challenge costs and answer like one, but never verify, not even with a lucky guess.
 */
export type DecoyContext = BaseContext & { decoy: true };

/** A challenge that can verify, by purpose: the context each purpose keeps for its verify. */
export type LiveChallenge =
  | { purpose: 'signup'; context: SignUpContext }
  | { purpose: 'signin'; context: SignInContext }
  | { purpose: 'signup-in'; context: SignUpContext | SignInContext }
  | { purpose: 'update-email' | 'update-phone'; context: AddressUpdateContext };

/** A challenge as the send use cases issue it. */
export type OtpChallenge = LiveChallenge | { purpose: 'signup' | 'signin'; context: DecoyContext };

/** The fields every context starts with. */
export function baseContext(target: string, customClaims: Record<string, unknown> | undefined): BaseContext {
  return { target, ...(customClaims ? { customClaims } : {}) };
}

/**
 * The typed view of a verified challenge. Only OtpSendPipeline (and the management API's test codes,
 * sign-in contexts) write challenges, always as an OtpChallenge, so purpose and context match.
 */
export function readChallenge(verified: VerifiedChallenge): LiveChallenge {
  const challenge = { purpose: verified.purpose, context: verified.context } as OtpChallenge;
  // A decoy's code was never sent: even a lucky guess must look like any wrong code.
  if ('decoy' in challenge.context) throw new DomainError('WRONG_CODE', 'Wrong or unknown code');
  return challenge as LiveChallenge;
}
