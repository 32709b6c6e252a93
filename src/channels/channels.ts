/** Which kind of address a channel delivers to, and which user field holds it. */
export type AddressKind = 'email' | 'phone';

/** What the code needs to know about a delivery channel, declared once per channel. */
export interface ChannelDeclaration {
  address: AddressKind;
  /** How the channel is named in messages to API clients. */
  label: string;
  /** The shape its messages take: a mail (subject, HTML), a short text, or a spoken script. */
  message: 'mail' | 'text' | 'voice';
  /** Whether a fixed-line number can receive it: only a call reaches a landline. */
  reachesFixedLine: boolean;
  /** The variable that picks its provider. */
  providerVariable: string;
}

/**
 * The channels, in the order the API lists them. A new channel is declared here; then the compiler
 * points at what it needs: how a code is written on it (delivery/templates/render.ts, with its texts
 * in the language catalogs), its provider variable (src/config), an OpenAPI example number for a
 * phone channel. Providers carry it by listing it in their definition.
 */
export const CHANNEL = {
  email: { address: 'email', label: 'e-mail', message: 'mail', reachesFixedLine: false, providerVariable: 'EMAIL_PROVIDER' },
  sms: { address: 'phone', label: 'SMS', message: 'text', reachesFixedLine: false, providerVariable: 'SMS_PROVIDER' },
  voice: { address: 'phone', label: 'voice', message: 'voice', reachesFixedLine: true, providerVariable: 'VOICE_PROVIDER' },
  whatsapp: { address: 'phone', label: 'WhatsApp', message: 'text', reachesFixedLine: false, providerVariable: 'WHATSAPP_PROVIDER' },
} as const satisfies Record<string, ChannelDeclaration>;

export type Channel = keyof typeof CHANNEL;
/** The channels that deliver to a phone number. */
export type PhoneChannel = { [C in Channel]: (typeof CHANNEL)[C]['address'] extends 'phone' ? C : never }[Channel];

export const CHANNELS = Object.keys(CHANNEL) as Channel[];
export const PHONE_CHANNELS = CHANNELS.filter(isPhoneChannel);

export function isPhoneChannel(channel: string): channel is PhoneChannel {
  return channel in CHANNEL && CHANNEL[channel as Channel].address === 'phone';
}

export function addressKind(channel: Channel): AddressKind {
  return CHANNEL[channel].address;
}
