import type { Catalog } from './catalog.js';

/** A code's lifetime as the reader counts it: seconds under a minute, else whole minutes. */
const duration = (seconds: number) => {
  const [n, one, many] = seconds < 60 ? [seconds, 'Sekunde', 'Sekunden'] : [Math.round(seconds / 60), 'Minute', 'Minuten'];
  return `${n} ${n === 1 ? one : many}`;
};
const action = (purpose: string) =>
  purpose === 'update-email'
    ? 'deine neue E-Mail-Adresse zu bestätigen'
    : purpose === 'update-phone'
      ? 'deine neue Telefonnummer zu bestätigen'
      : 'dich anzumelden';
const what = (kind: 'email' | 'phone') => (kind === 'email' ? 'Die E-Mail-Adresse' : 'Die Telefonnummer');

export const de: Catalog = {
  voiceLanguage: 'de-DE',
  email: {
    subject: (v) => `Dein Bestätigungscode für ${v.projectName}`,
    greeting: (name) => `Hallo ${name},`,
    intro: (v) => `Dein Bestätigungscode für ${v.projectName} lautet`,
    instruction: (v) => `Gib ihn ein, um ${action(v.purpose)}. Er läuft in ${duration(v.expiresInSeconds)} ab.`,
    ignore: 'Wenn du diesen Code nicht angefordert hast, kannst du diese Nachricht ignorieren.',
  },
  sms: (v) => `${v.code} ist dein Bestätigungscode für ${v.projectName}. Er läuft in ${duration(v.expiresInSeconds)} ab.`,
  whatsapp: (v) =>
    `${v.options.name ? `Hallo ${v.options.name}, ` : ''}*${v.code}* ist dein Bestätigungscode für ${v.projectName}. ` +
    `Er läuft in ${duration(v.expiresInSeconds)} ab. Gib ihn an niemanden weiter.`,
  voice: {
    intro: (v) => `Hallo. Hier ist ${v.projectName}. Ihr Bestätigungscode lautet:`,
    again: 'Noch einmal, Ihr Code lautet:',
    outro: 'Auf Wiederhören.',
  },
  notice: {
    subject: (v) => `${what(v.kind)} deines ${v.projectName}-Kontos wurde geändert`,
    text: (v) =>
      `${what(v.kind)} deines ${v.projectName}-Kontos wurde in ${v.newAddress} geändert. ` +
      'Wenn du das nicht warst, wende dich sofort an den Support.',
  },
  accountExists: {
    subject: (v) => `Du hast bereits ein ${v.projectName}-Konto`,
    text: (v) =>
      `Jemand, vielleicht du, wollte sich mit dieser Adresse bei ${v.projectName} registrieren, zu der es bereits ein Konto gibt. ` +
      'Melde dich stattdessen an. Wenn du das nicht warst, kannst du diese Nachricht ignorieren: Es hat sich nichts geändert.',
  },
};
