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
