import type { Purpose } from '../../otp/otp.types.js';

export interface TemplateInput {
  code: string;
  projectName: string;
  expiresInMinutes: number;
  purpose: Purpose;
  templateOptions?: Record<string, string>;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderEmail(input: TemplateInput): { subject: string; text: string; html: string } {
  const minutes = `${input.expiresInMinutes} minute${input.expiresInMinutes === 1 ? '' : 's'}`;
  const action = input.purpose === 'update-email' ? 'confirm your new e-mail address' : 'sign in';
  const subject = `Your ${input.projectName} verification code`;
  const text = [
    `Your ${input.projectName} verification code is ${input.code}`,
    '',
    `Enter it to ${action}. It expires in ${minutes}.`,
    `If you did not ask for this code, you can ignore this message.`,
  ].join('\n');
  const project = escapeHtml(input.projectName);
  const html = `<!doctype html>
<html><body style="font-family:system-ui,sans-serif;color:#111">
<p>Your ${project} verification code is</p>
<p style="font-size:28px;font-weight:bold;letter-spacing:6px">${escapeHtml(input.code)}</p>
<p>Enter it to ${action}. It expires in ${minutes}.</p>
<p style="color:#666">If you did not ask for this code, you can ignore this message.</p>
</body></html>`;
  return { subject, text, html };
}

/** Sent instead of a code when someone signs up with an address that already has an account (anti-enumeration mode). */
export function renderAccountExistsNotice(projectName: string): { subject: string; text: string; html: string } {
  const subject = `You already have a ${projectName} account`;
  const text = [
    `Someone, perhaps you, tried to sign up to ${projectName} with this address, which already has an account.`,
    '',
    'To get in, sign in instead. If it was not you, you can ignore this message: nothing has changed.',
  ].join('\n');
  const project = escapeHtml(projectName);
  const html = `<!doctype html>
<html><body style="font-family:system-ui,sans-serif;color:#111">
<p>Someone, perhaps you, tried to sign up to ${project} with this address, which already has an account.</p>
<p>To get in, sign in instead. If it was not you, you can ignore this message: nothing has changed.</p>
</body></html>`;
  return { subject, text, html };
}
