import type { Catalog } from './catalog.js';

/** A code's lifetime as the reader counts it: seconds under a minute, else whole minutes. */
const duration = (seconds: number) => {
  const [n, one, many] = seconds < 60 ? [seconds, 'seconde', 'secondes'] : [Math.round(seconds / 60), 'minute', 'minutes'];
  return `${n} ${n === 1 ? one : many}`;
};
const action = (purpose: string) =>
  purpose === 'update-email'
    ? 'confirmer votre nouvelle adresse e-mail'
    : purpose === 'update-phone'
      ? 'confirmer votre nouveau numéro de téléphone'
      : 'vous connecter';
const what = (kind: 'email' | 'phone') => (kind === 'email' ? "L'adresse e-mail" : 'Le numéro de téléphone');

export const fr: Catalog = {
  voiceLanguage: 'fr-FR',
  email: {
    subject: (v) => `Votre code de vérification ${v.projectName}`,
    greeting: (name) => `Bonjour ${name},`,
    intro: (v) => `Votre code de vérification ${v.projectName} est`,
    instruction: (v) => `Saisissez-le pour ${action(v.purpose)}. Il expire dans ${duration(v.expiresInSeconds)}.`,
    ignore: "Si vous n'avez pas demandé ce code, vous pouvez ignorer ce message.",
  },
  sms: (v) => `${v.code} est votre code de vérification ${v.projectName}. Il expire dans ${duration(v.expiresInSeconds)}.`,
  whatsapp: (v) =>
    `${v.options.name ? `Bonjour ${v.options.name}, ` : ''}*${v.code}* est votre code de vérification ${v.projectName}. ` +
    `Il expire dans ${duration(v.expiresInSeconds)}. Ne le communiquez à personne.`,
  voice: {
    intro: (v) => `Bonjour. Ici ${v.projectName}. Votre code de vérification est :`,
    again: 'Je répète, votre code est :',
    outro: 'Au revoir.',
  },
  notice: {
    subject: (v) => `${what(v.kind)} de votre compte ${v.projectName} a été modifié${v.kind === 'email' ? 'e' : ''}`,
    text: (v) =>
      `${what(v.kind)} de votre compte ${v.projectName} a été modifié${v.kind === 'email' ? 'e' : ''} : ${v.newAddress}. ` +
      "Si vous n'êtes pas à l'origine de ce changement, contactez immédiatement le support.",
  },
  accountExists: {
    subject: (v) => `Vous avez déjà un compte ${v.projectName}`,
    text: (v) =>
      `Quelqu'un, peut-être vous, a tenté de s'inscrire à ${v.projectName} avec cette adresse, qui a déjà un compte. ` +
      "Pour accéder à votre compte, connectez-vous. Si ce n'était pas vous, ignorez ce message : rien n'a changé.",
  },
};
