import type { TwilioSettings } from '../../../config/app-config.js';
import type { MessageProvider, OutboundMessage, ProviderResult, VoiceSegment } from '../../delivery.types.js';
import { errorForStatus, fetchWithTimeout } from '../http-errors.js';


const escapeXml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

/** A voice script as inline TwiML (https://www.twilio.com/docs/voice/twiml). */
export function toTwiml(language: string, segments: VoiceSegment[]): string {
  const body = segments
    .map((s) => ('say' in s ? `<Say language="${escapeXml(language)}">${escapeXml(s.say)}</Say>` : `<Pause length="${s.pause}"/>`))
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
}

/**
 * SMS and WhatsApp through Twilio's Messages API, voice through its Calls API with inline TwiML.
 * Plain REST over fetch: two form-encoded POSTs do not justify the SDK.
 */
export class TwilioProvider implements MessageProvider {
  readonly name = 'twilio';
  private readonly authorization: string;

  constructor(
    private readonly settings: TwilioSettings,
    private readonly statusCallbackUrl: string | undefined,
  ) {
    this.authorization = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`;
  }

  async send(message: OutboundMessage): Promise<ProviderResult> {
    const form = new URLSearchParams();
    let resource: 'Messages' | 'Calls';
    if (message.channel === 'voice') {
      resource = 'Calls';
      form.set('To', message.to);
      form.set('From', this.settings.from!);
      form.set('Twiml', toTwiml(message.voice?.language ?? 'en-US', message.voice?.segments ?? [{ say: message.text }]));
    } else if (message.channel === 'whatsapp') {
      resource = 'Messages';
      form.set('To', `whatsapp:${message.to}`);
      form.set('From', `whatsapp:${this.settings.whatsappFrom}`);
      form.set('Body', message.text);
    } else {
      resource = 'Messages';
      form.set('To', message.to);
      // A Messaging Service SID goes in its own field; a number or sender ID in From.
      form.set(this.settings.from!.startsWith('MG') ? 'MessagingServiceSid' : 'From', this.settings.from!);
      form.set('Body', message.text);
    }
    if (this.statusCallbackUrl) form.set('StatusCallback', this.statusCallbackUrl);
    const url = `${this.settings.apiBaseUrl}/2010-04-01/Accounts/${encodeURIComponent(this.settings.accountSid)}/${resource}.json`;
    const response = await fetchWithTimeout('Twilio', url, {
      method: 'POST',
      headers: { authorization: this.authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
    });
    const body = (await response.json().catch(() => ({}))) as { sid?: string; code?: number; message?: string };
    if (!response.ok) {
      // Twilio error codes (21211 invalid To, 21610 unsubscribed, 21614 not a mobile number...) say why.
      throw errorForStatus('Twilio', response.status, [body.code && `error ${body.code}`, body.message].filter(Boolean).join(' '));
    }
    return { providerMessageId: body.sid };
  }
}
