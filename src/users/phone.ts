import { type NumberType, parseDigits, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { DomainError } from '../common/errors/domain-error.js';
import { CHANNEL, type Channel, isPhoneChannel } from '../channels/channels.js';
import { normalizeLoginId } from './users.service.js';

export interface ParsedPhone {
  /** The number in E.164, the only form stored, keyed on or handed to a provider. */
  e164: string;
  /** From libphonenumber's full metadata; undefined when the numbering plan does not say. */
  type: NumberType | undefined;
  /** ISO 3166-1 alpha-2 region of the number, when known. */
  country: string | undefined;
}

/**
 * The text with compatibility forms folded (full-width `＋１` is `+1`) and the decimal digits of the
 * scripts libphonenumber reads (Arabic-Indic, Persian, …) written as ASCII digits, so that a number
 * written in any of them is recognised, and stored, as the one number it dials.
 */
function asciiDigits(raw: string): string {
  return raw.normalize('NFKC').replace(/\p{Nd}/gu, (digit) => parseDigits(digit) || digit);
}

/** An extension after the number (`;ext=2`, ` x 22`, ` ext. 3`, `#4`): it dials the same line. */
const EXTENSION = /(?:;\s*ext\s*=|\s*(?:#|x|ext\.?|extn\.?|extension))\s*\d+$/i;

/**
 * Parses an international number (leading `+` and country code; spaces, dots, dashes and
 * brackets allowed; digits of any script libphonenumber reads) and checks it against the numbering
 * plan. An extension is refused: numbers with and without one reach the same phone, so they must
 * not be two login IDs or two recipients. `field` names the request field in the error, as
 * E011003 requires.
 */
export function parsePhone(raw: string, field = 'phone'): ParsedPhone {
  const parsed = parsePhoneNumberFromString(asciiDigits(raw).trim());
  if (!parsed || !parsed.isValid()) {
    throw new DomainError('INVALID_REQUEST', `${field} must be a valid phone number in international format (E.164, e.g. +14155550100)`);
  }
  if (parsed.ext) throw new DomainError('INVALID_REQUEST', `${field} must be a phone number without an extension`);
  return { e164: parsed.number, type: parsed.getType(), country: parsed.country };
}

/** Text channels need a number that can receive messages; a fixed line can only take a call. */
export function assertChannelReaches(phone: ParsedPhone, channel: Channel, field = 'phone'): void {
  if (!CHANNEL[channel].reachesFixedLine && phone.type === 'FIXED_LINE') {
    throw new DomainError(
      'INVALID_REQUEST',
      `${field} is a fixed-line number, which cannot receive ${CHANNEL[channel].label} messages: use the voice delivery method instead`,
    );
  }
}

/**
 * Whether a login ID is meant as a phone number and must be normalised to E.164 before use: in any
 * script's digits, and with an extension (which parsePhone then refuses).
 */
export function looksLikePhone(loginId: string, channel: Channel): boolean {
  const value = asciiDigits(loginId).trim().replace(EXTENSION, '');
  // On phone channels a bare run of digits is a phone number too (and must then carry a country code).
  return isPhoneChannel(channel) ? /^\+?[\d\s().-]+$/.test(value) : /^\+[\d\s().-]+$/.test(value);
}

/**
 * The login ID as it is stored and keyed on: E.164 when it is a phone number (so `+1 415-555-0100`
 * and `+14155550100` are one login ID), otherwise trimmed and lower-cased.
 */
export function loginIdFor(loginId: string, channel: Channel): string {
  if (looksLikePhone(loginId, channel)) return parsePhone(loginId, 'loginId').e164;
  return normalizeLoginId(loginId);
}

/**
 * A login ID as the management API takes it. As on the OTP routes, one that reads as an
 * international phone number (a leading `+`) is stored and looked up in E.164, so that a user
 * created with `+1 (415) 555-0100` signs in over SMS with `+14155550100`. Anything else, including
 * a `+` string that is no valid number (Descope takes any string), is trimmed and lower-cased.
 */
export function managedLoginId(loginId: string): string {
  if (!looksLikePhone(loginId, 'email')) return normalizeLoginId(loginId);
  const parsed = parsePhoneNumberFromString(asciiDigits(loginId).trim());
  return parsed?.isValid() && !parsed.ext ? parsed.number : normalizeLoginId(loginId);
}
