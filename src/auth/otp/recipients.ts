import { isEmail } from 'class-validator';
import { maskEmail, maskPhone } from '../../common/masking.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { addressKind, type Channel } from '../../channels/channels.js';
import type { Project } from '../../projects/projects.service.js';
import { assertChannelReaches, looksLikePhone, parsePhone } from '../../users/phone.js';
import type { UserProfile, UserRecord } from '../../users/users.service.js';
import type { SendResult } from './otp-options.js';

/** Who gets a code, and at which address: the rules shared by the OTP routes and the management API. */


/**
 * Where `record`'s codes go over `channel`: the user's own address, else the login ID when it is an
 * address of the channel (a phone number in E.164); null when the user has none.
 */
export function userAddress(channel: Channel, loginId: string, record: UserRecord): string | null {
  if (addressKind(channel) === 'email') return record.user.email ?? (isEmail(loginId) ? loginId : null);
  return record.user.phone ?? (looksLikePhone(loginId, channel) ? parsePhone(loginId, 'loginId').e164 : null);
}

/** Where the code of a sign-in of `record` (its login ID `loginId`, normalised) goes. */
export function signInTarget(channel: Channel, loginId: string, record: UserRecord): string {
  const address = userAddress(channel, loginId, record);
  if (addressKind(channel) === 'email') {
    if (!address) throw new DomainError('INVALID_REQUEST', 'The user has no e-mail address');
    return address;
  }
  if (!address) throw new DomainError('INVALID_REQUEST', 'The user has no phone number');
  const parsed = parsePhone(address, 'phone');
  assertChannelReaches(parsed, channel, 'phone');
  return parsed.e164;
}

/**
 * Where the code of a sign-up goes. A login ID that is an e-mail address or a phone number is
 * proven by a code to that very address, over a channel that reaches it: another `user.email` or
 * `user.phone` would let anyone claim a login ID they do not own (squatting). Only a username
 * (neither) names its address in `user`, if the project allows usernames.
 */
export function signUpTarget(project: Project, channel: Channel, loginId: string, profile: UserProfile): string {
  const kind = isEmail(loginId) ? 'email' : /^\+\d+$/.test(loginId) ? 'phone' : 'username';
  if (kind === 'username' && !project.settings.usernameLoginIds) {
    throw new DomainError('INVALID_REQUEST', 'loginId must be an e-mail address or a phone number: this project does not allow usernames (usernameLoginIds)');
  }
  if (kind !== 'username' && kind !== addressKind(channel)) {
    throw new DomainError('INVALID_REQUEST', `loginId is ${kind === 'email' ? 'an e-mail address: sign up over email' : 'a phone number: sign up over sms, voice or whatsapp'}`);
  }
  if (addressKind(channel) === 'phone') {
    if (kind === 'phone' && profile.phone && profile.phone !== loginId) {
      throw new DomainError('INVALID_REQUEST', 'user.phone must be the loginId itself (or left out) when loginId is a phone number');
    }
    const field = profile.phone ? 'user.phone' : 'loginId';
    const parsed = parsePhone(profile.phone || loginId, field);
    assertChannelReaches(parsed, channel, field);
    return parsed.e164;
  }
  const email = (profile.email?.trim() || loginId).toLowerCase();
  if (kind === 'email' && email !== loginId) {
    throw new DomainError('INVALID_REQUEST', 'user.email must be the loginId itself (or left out) when loginId is an e-mail address');
  }
  if (!isEmail(email)) throw new DomainError('INVALID_REQUEST', 'loginId (or user.email) must be a valid e-mail address');
  return email;
}

/** The profile of a new user, with the address the sign-up code went to. */
export function profileWithAddress(channel: Channel, profile: UserProfile, target: string): UserProfile {
  return addressKind(channel) === 'email' ? { ...profile, email: target } : { ...profile, phone: target };
}

/** Whether `record`'s address for the channel has been verified (by a code sent to it). */
export function isVerified(record: UserRecord, channel: Channel): boolean {
  return addressKind(channel) === 'email' ? record.user.verifiedEmail : record.user.verifiedPhone;
}

export function assertEnabled(record: UserRecord): void {
  if (record.user.status === 'disabled') throw new DomainError('USER_DISABLED', 'The user is disabled');
}

/** The address a login ID names on a channel, if it names one. */
function addressIn(channel: Channel, loginId: string): string | undefined {
  if (addressKind(channel) === 'email') return isEmail(loginId) ? loginId : undefined;
  return looksLikePhone(loginId, channel) ? loginId : undefined;
}

/** Anti-enumeration: the mask of the login ID itself, never of an address found in the database. */
export function inputMask(channel: Channel, loginId: string): SendResult {
  const address = addressIn(channel, loginId);
  if (address) return masked(channel, address);
  return addressKind(channel) === 'email' ? { maskedEmail: '***' } : { maskedPhone: '***' };
}

/**
 * Where a decoy "goes" for the per-recipient limits: the login ID's own address, so that its
 * cooldown answers as a real user's would, or the login ID itself when it is no address.
 */
export function decoyRecipient(channel: Channel, loginId: string): string {
  return addressIn(channel, loginId) ?? loginId;
}

/** The answer of a send: the address the message went to, masked. */
export function masked(channel: Channel, target: string): SendResult {
  return addressKind(channel) === 'email' ? { maskedEmail: maskEmail(target) } : { maskedPhone: maskPhone(target) };
}
