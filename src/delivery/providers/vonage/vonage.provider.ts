import { type MessageProvider, type OutboundMessage, PermanentDeliveryError, type ProviderResult } from '../../delivery.types.js';
import { errorForStatus, fetchWithTimeout } from '../http-errors.js';

export interface VonageSettings {
  apiKey: string;
  apiSecret: string;
  /** A number (E.164, sent without the `+`) or an alphanumeric sender ID. */
  from: string;
  /** https://rest.nexmo.com, or a local fake in tests. */
  apiBaseUrl: string;
}

/** One entry per SMS part in the answer of POST /sms/json. */
interface VonageMessageStatus {
  status?: string;
  'message-id'?: string;
  'error-text'?: string;
}

/**
 * Statuses worth retrying with backoff (https://developer.vonage.com/en/api-errors/sms): 1
 * throttled, 5 internal error, 10 too many binds. Any other non-zero status (invalid number, barred
 * number, bad credentials, no credit) fails the same way on a retry.
 */
const RETRYABLE_STATUSES = new Set(['1', '5', '10']);

/** GSM 03.38 (basic table and extension): texts outside it must be sent as `unicode`, or they arrive mangled. */
const GSM_7 = /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà^{}\\[~\]|€]*$/;

/** SMS through Vonage's (Nexmo's) SMS API: one form-encoded POST, credentials in the body. */
export class VonageProvider implements MessageProvider {
  readonly name = 'vonage';

  constructor(private readonly settings: VonageSettings) {}

  async send(message: OutboundMessage): Promise<ProviderResult> {
    const form = new URLSearchParams({
      api_key: this.settings.apiKey,
      api_secret: this.settings.apiSecret,
      from: this.settings.from.replace(/^\+/, ''),
      to: message.to.replace(/^\+/, ''),
      text: message.text,
      type: GSM_7.test(message.text) ? 'text' : 'unicode',
      // Shows in delivery receipts and Vonage's logs: the job ID, stable across retries.
      'client-ref': message.id,
    });
    const response = await fetchWithTimeout('Vonage', `${this.settings.apiBaseUrl}/sms/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
    });
    if (!response.ok) throw errorForStatus('Vonage', response.status, (await response.text().catch(() => '')).slice(0, 200));
    const body = (await response.json().catch(() => ({}))) as { messages?: VonageMessageStatus[] };
    const parts = body.messages ?? [];
    // A long text is split into parts, each with its own status; Vonage answers HTTP 200 either way.
    const refused = parts.length ? parts.find((part) => part.status !== '0') : { status: undefined, 'error-text': 'no message status in the answer' };
    if (refused) {
      const detail = `Vonage status ${refused.status ?? 'missing'}${refused['error-text'] ? `: ${refused['error-text']}` : ''}`;
      throw refused.status === undefined || RETRYABLE_STATUSES.has(refused.status) ? new Error(detail) : new PermanentDeliveryError(detail);
    }
    return { providerMessageId: parts[0]!['message-id'] };
  }
}
