import type { AuditInput } from '../../audit/audit.service.js';
import type { MaskedEmailResponseDto, MaskedPhoneResponseDto } from '../dto/otp-requests.dto.js';

export interface SendOptions {
  templateOptions?: Record<string, string>;
  locale?: string;
  customClaims?: Record<string, unknown>;
  requestId?: string;
  /** The client's IP: the per-recipient cap counts per client too. */
  ip?: string;
  /** Sign-in only: step-up and MFA extend the session of `refreshJwt` (the bearer's token). */
  stepup?: boolean;
  mfa?: boolean;
  revokeOtherSessions?: boolean;
  refreshJwt?: string;
}

export interface UpdateOptions extends SendOptions {
  addToLoginIDs?: boolean;
  onMergeUseExisting?: boolean;
}

/** The answer of a send: the address the message went to, masked. */
export type SendResult = MaskedEmailResponseDto | MaskedPhoneResponseDto;

/** The audit fields of a verify, known before its outcome. */
export type VerifyEvent = Omit<AuditInput, 'action' | 'outcome'>;
