import type { Catalog } from './catalog.js';

/** A code's lifetime as the reader counts it: seconds under a minute, else whole minutes. */
const duration = (seconds: number) => {
  const [n, one, many] = seconds < 60 ? [seconds, 'segundo', 'segundos'] : [Math.round(seconds / 60), 'minuto', 'minutos'];
  return `${n} ${n === 1 ? one : many}`;
};
const action = (purpose: string) =>
  purpose === 'update-email'
    ? 'confirmar tu nueva dirección de correo'
    : purpose === 'update-phone'
      ? 'confirmar tu nuevo número de teléfono'
      : 'iniciar sesión';
const what = (kind: 'email' | 'phone') => (kind === 'email' ? 'la dirección de correo' : 'el número de teléfono');

export const es: Catalog = {
  voiceLanguage: 'es-ES',
  email: {
    subject: (v) => `Tu código de verificación de ${v.projectName}`,
    greeting: (name) => `Hola, ${name}:`,
    intro: (v) => `Tu código de verificación de ${v.projectName} es`,
    instruction: (v) => `Introdúcelo para ${action(v.purpose)}. Caduca en ${duration(v.expiresInSeconds)}.`,
    ignore: 'Si no has pedido este código, puedes ignorar este mensaje.',
  },
  sms: (v) => `${v.code} es tu código de verificación de ${v.projectName}. Caduca en ${duration(v.expiresInSeconds)}.`,
  whatsapp: (v) =>
    `${v.options.name ? `Hola, ${v.options.name}. ` : ''}*${v.code}* es tu código de verificación de ${v.projectName}. ` +
    `Caduca en ${duration(v.expiresInSeconds)}. No lo compartas con nadie.`,
  voice: {
    intro: (v) => `Hola. Le llamamos de ${v.projectName}. Su código de verificación es:`,
    again: 'Repito, su código es:',
    outro: 'Adiós.',
  },
  notice: {
    subject: (v) => `Se ha cambiado ${what(v.kind)} de tu cuenta de ${v.projectName}`,
    text: (v) =>
      `Se ha cambiado ${what(v.kind)} de tu cuenta de ${v.projectName} a ${v.newAddress}. ` +
      'Si no has hecho este cambio, ponte en contacto con soporte de inmediato.',
  },
  accountExists: {
    subject: (v) => `Ya tienes una cuenta de ${v.projectName}`,
    text: (v) =>
      `Alguien, quizá tú, ha intentado registrarse en ${v.projectName} con esta dirección, que ya tiene una cuenta. ` +
      'Para entrar, inicia sesión. Si no has sido tú, puedes ignorar este mensaje: no ha cambiado nada.',
  },
};
