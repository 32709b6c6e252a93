import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { DeliveryRecordsService } from './delivery-records.service.js';
import { isValidTwilioSignature } from './providers/twilio/twilio-signature.js';
import { twilioStatusCallbackUrl } from './twilio-status.route.js';

// Final outcomes only; Twilio also reports queued, sending, sent, ringing, in-progress, which move nothing.
const DELIVERED = new Set(['delivered', 'read', 'completed']);
const FAILED = new Set(['failed', 'undelivered', 'busy', 'no-answer', 'canceled']);

/**
 * Twilio's status callbacks (StatusCallback on Messages and Calls): a signed form POST per status
 * change of a message or call, which moves its delivery record to `delivered` or `failed`.
 */
@Injectable()
export class TwilioStatusService {
  private readonly logger = new Logger(TwilioStatusService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly records: DeliveryRecordsService,
    private readonly metrics: MetricsService,
  ) {}

  async handle(params: Record<string, string>, signature: string | undefined): Promise<void> {
    const { twilio } = this.config;
    const callbackUrl = twilioStatusCallbackUrl(this.config.publicUrl);
    if (!twilio || !callbackUrl) throw new DomainError('NOT_FOUND', 'Twilio status callbacks are not configured (PUBLIC_URL)');
    // Twilio signs the URL it was given, so the check uses ours, not the Host header a proxy may have rewritten.
    if (!isValidTwilioSignature(twilio.authToken, callbackUrl, params, signature)) {
      throw new DomainError('UNAUTHORIZED', 'Invalid X-Twilio-Signature');
    }
    const sid = params.MessageSid ?? params.CallSid;
    const status = params.MessageStatus ?? params.CallStatus;
    if (!sid || !status) throw new DomainError('MISSING_ARGUMENT', 'MessageSid/CallSid and MessageStatus/CallStatus are required');
    if (!DELIVERED.has(status) && !FAILED.has(status)) return;
    const record = await this.records.findByProviderMessageId('twilio', sid);
    // Unknown SIDs are answered 200 too: Twilio does not retry status callbacks, and a 4xx would only
    // fill its debugger with messages we cannot act on (e.g. a record already purged).
    if (!record) {
      this.logger.warn({ msg: 'Twilio status for an unknown message', sid, status });
      return;
    }
    const delivered = DELIVERED.has(status);
    const error = [`Twilio ${status}`, params.ErrorCode && `error ${params.ErrorCode}`, params.ErrorMessage].filter(Boolean).join(' ');
    const moved = delivered ? await this.records.delivered(record.id) : await this.records.failed(record.id, record.attempts, record.provider, error);
    // Counted once per record: a repeated or late callback moves nothing.
    if (moved) this.metrics.otp(record.projectId, record.channel, delivered ? 'delivered' : 'failed');
  }
}
