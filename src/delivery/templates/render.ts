import type { Channel } from '../../otp/otp.types.js';
import type { RenderedMessage, VoiceSegment } from '../delivery.types.js';
import type { CodeVars, NoticeVars } from './catalog.js';
import { catalogFor } from './locale.js';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Renders a code message for `channel` in the best available language for `requested`. */
export function renderCode(channel: Channel, requested: string | undefined, vars: CodeVars, webOtpDomain?: string): RenderedMessage {
  const { locale, catalog } = catalogFor(requested);
  const subject = catalog.email.subject(vars);
  switch (channel) {
    case 'email': {
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
      return { locale, subject, text, html };
    }
    case 'sms': {
      // WebOTP (https://wicg.github.io/web-otp/#message-format): the last line lets a browser on
      // that domain read the code from the SMS and fill it in.
      const text = catalog.sms(vars) + (webOtpDomain ? `\n\n@${webOtpDomain} #${vars.code}` : '');
      return { locale, subject, text };
    }
    case 'whatsapp':
      return { locale, subject, text: catalog.whatsapp(vars) };
    case 'voice': {
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
      return { locale, subject, text, voice: { language: catalog.voiceLanguage, segments } };
    }
  }
}

/** Renders the "your address was changed" notice; it carries no code. */
export function renderNotice(channel: Channel, requested: string | undefined, vars: NoticeVars): RenderedMessage {
  const { locale, catalog } = catalogFor(requested);
  const subject = catalog.notice.subject(vars);
  const text = catalog.notice.text(vars);
  if (channel === 'email') {
    const html = `<!doctype html>
<html lang="${locale}"><body style="font-family:system-ui,sans-serif;color:#111">
<p>${escapeHtml(text)}</p>
</body></html>`;
    return { locale, subject, text, html };
  }
  if (channel === 'voice') return { locale, subject, text, voice: { language: catalog.voiceLanguage, segments: [{ say: text }, { pause: 1 }, { say: text }] } };
  return { locale, subject, text };
}
