import type { Catalog } from './catalog.js';

/** A code's lifetime as the reader counts it: seconds under a minute, else whole minutes. */
const duration = (seconds: number) => {
  const [n, one, many] = seconds < 60 ? [seconds, 'second', 'seconds'] : [Math.round(seconds / 60), 'minute', 'minutes'];
  return `${n} ${n === 1 ? one : many}`;
};
const action = (purpose: string) =>
  purpose === 'update-email' ? 'confirm your new e-mail address' : purpose === 'update-phone' ? 'confirm your new phone number' : 'sign in';

export const en: Catalog = {
  voiceLanguage: 'en-US',
  email: {
    subject: (v) => `Your ${v.projectName} verification code`,
    greeting: (name) => `Hi ${name},`,
    intro: (v) => `Your ${v.projectName} verification code is`,
    instruction: (v) => `Enter it to ${action(v.purpose)}. It expires in ${duration(v.expiresInSeconds)}.`,
    ignore: 'If you did not ask for this code, you can ignore this message.',
  },
  sms: (v) => `${v.code} is your ${v.projectName} verification code. It expires in ${duration(v.expiresInSeconds)}.`,
  whatsapp: (v) =>
    `${v.options.name ? `Hi ${v.options.name}, ` : ''}*${v.code}* is your ${v.projectName} verification code. ` +
    `It expires in ${duration(v.expiresInSeconds)}. Do not share it with anyone.`,
  voice: {
    intro: (v) => `Hello. This is ${v.projectName}. Your verification code is:`,
    again: 'Once again, your code is:',
    outro: 'Goodbye.',
  },
  notice: {
    subject: (v) => `Your ${v.projectName} ${v.kind === 'email' ? 'e-mail address' : 'phone number'} was changed`,
    text: (v) =>
      `The ${v.kind === 'email' ? 'e-mail address' : 'phone number'} of your ${v.projectName} account was changed to ${v.newAddress}. ` +
      'If you did not make this change, contact support at once.',
  },
  accountExists: {
    subject: (v) => `You already have an account with ${v.projectName}`,
    text: (v) =>
      `Someone, perhaps you, tried to sign up to ${v.projectName} with this address, which already has an account. ` +
      'To get in, sign in instead. If it was not you, you can ignore this message: nothing has changed.',
  },
};
