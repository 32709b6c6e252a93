import { type Channel, isPhoneChannel } from '../channels/channels.js';

/** Providers that ignore dots in the local part, and the domain each one's aliases stand for. */
const DOTLESS_DOMAINS: Record<string, string> = {
  'gmail.com': 'gmail.com',
  'googlemail.com': 'gmail.com',
};

/**
 * The mailbox or phone that a recipient string reaches, for the per-recipient limits: an address
 * written many ways is still one victim. E-mail: lower-cased, the `+tag` of the local part removed
 * (for every domain: sharing limits with a distinct `a+b@` mailbox only makes them stricter), and
 * for gmail.com and googlemail.com the dots removed and the domain unified. Phones arrive as E.164
 * already (the use cases normalise them), so only surrounding space is dropped.
 */
export function canonicalRecipient(channel: Channel, recipient: string): string {
  const trimmed = recipient.trim();
  if (isPhoneChannel(channel)) return trimmed;
  const address = trimmed.toLowerCase();
  const at = address.lastIndexOf('@');
  if (at < 1) return address;
  let local = address.slice(0, at);
  let domain = address.slice(at + 1);
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  const dotless = DOTLESS_DOMAINS[domain];
  if (dotless) {
    local = local.replaceAll('.', '');
    domain = dotless;
  }
  return `${local}@${domain}`;
}
