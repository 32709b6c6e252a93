import { CHANNEL, type Channel } from '../../channels/channels.js';
import type { RenderedMessage, VoiceSegment } from '../delivery.types.js';
import type { AccountExistsVars, Catalog, CodeVars, NoticeVars } from './catalog.js';
import { catalogFor } from './locale.js';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

type CodeRenderer = (catalog: Catalog, vars: CodeVars, context: { locale: string; webOtpDomain?: string }) => Omit<RenderedMessage, 'locale' | 'subject'>;

/** How a code is written on each channel. */
const CODE_RENDERERS: Record<Channel, CodeRenderer> = {
  email: (catalog, vars, { locale }) => {
    const greeting = vars.options.name ? catalog.email.greeting(vars.options.name) : undefined;
    const intro = catalog.email.intro(vars);
    const instruction = catalog.email.instruction(vars);
    const text = [...(greeting ? [greeting, ''] : []), `${intro} ${vars.code}`, '', instruction, catalog.email.ignore].join('\n');
    const html = `<!doctype html>
<html lang="${locale}"><body style="font-family:system-ui,sans-serif;color:#111">
${greeting ? `<p>${escapeHtml(greeting)}</p>\n` : ''}<p>${escapeHtml(intro)}</p>
<p style="font-size:28px;font-weight:bold;letter-spacing:6px">${escapeHtml(vars.code)}</p>
<p>${escapeHtml(instruction)}</p>
<p style="color:#666">${escapeHtml(catalog.email.ignore)}</p>
</body></html>`;
    return { text, html };
  },
  // WebOTP (https://wicg.github.io/web-otp/#message-format): the last line lets a browser on that
  // domain read the code from the SMS and fill it in.
  sms: (catalog, vars, { webOtpDomain }) => ({ text: catalog.sms(vars) + (webOtpDomain ? `\n\n@${webOtpDomain} #${vars.code}` : '') }),
  whatsapp: (catalog, vars) => ({ text: catalog.whatsapp(vars) }),
  voice: (catalog, vars) => {
    // Digits one by one with a pause after each, then the whole code once more: a listener
    // has time to write every digit down.
    const digits = [...vars.code];
    const readDigits: VoiceSegment[] = digits.flatMap((d) => [{ say: d }, { pause: 1 }]);
    const segments: VoiceSegment[] = [
      { say: catalog.voice.intro(vars) },
      { pause: 1 },
      ...readDigits,
      { say: catalog.voice.again },
      { pause: 1 },
      ...readDigits,
      { say: catalog.voice.outro },
    ];
    const spoken = digits.join(', ');
    const text = `${catalog.voice.intro(vars)} ${spoken}. ${catalog.voice.again} ${spoken}. ${catalog.voice.outro}`;
    return { text, voice: { language: catalog.voiceLanguage, segments } };
  },
};

/** Renders a code message for `channel` in the best available language for `requested`. */
export function renderCode(channel: Channel, requested: string | undefined, vars: CodeVars, webOtpDomain?: string): RenderedMessage {
  const { locale, catalog } = catalogFor(requested);
  return { locale, subject: catalog.email.subject(vars), ...CODE_RENDERERS[channel](catalog, vars, { locale, webOtpDomain }) };
}

/** Renders the "your address was changed" notice; it carries no code. */
export function renderNotice(channel: Channel, requested: string | undefined, vars: NoticeVars): RenderedMessage {
  const { locale, catalog } = catalogFor(requested);
  return plainNotice(channel, locale, catalog.voiceLanguage, catalog.notice.subject(vars), catalog.notice.text(vars));
}

/** Renders the "you already have an account" notice; it carries no code. */
export function renderAccountExists(channel: Channel, requested: string | undefined, vars: AccountExistsVars): RenderedMessage {
  const { locale, catalog } = catalogFor(requested);
  return plainNotice(channel, locale, catalog.voiceLanguage, catalog.accountExists.subject(vars), catalog.accountExists.text(vars));
}

function plainNotice(channel: Channel, locale: string, voiceLanguage: string, subject: string, text: string): RenderedMessage {
  const form = CHANNEL[channel].message;
  if (form === 'mail') {
    const html = `<!doctype html>
<html lang="${locale}"><body style="font-family:system-ui,sans-serif;color:#111">
<p>${escapeHtml(text)}</p>
</body></html>`;
    return { locale, subject, text, html };
  }
  if (form === 'voice') return { locale, subject, text, voice: { language: voiceLanguage, segments: [{ say: text }, { pause: 1 }, { say: text }] } };
  return { locale, subject, text };
}
