import type { Purpose } from '../../otp/otp.types.js';

/** What every code template can use. */
export interface CodeVars {
  code: string;
  projectName: string;
  /** Seconds the code has left when the message is written. */
  expiresInSeconds: number;
  purpose: Purpose;
  /** `loginOptions.templateOptions`, as the client sent them (the built-in texts use `name`). */
  options: Readonly<Record<string, string>>;
}

/** What an address-change notice can use; it never holds a code. */
export interface NoticeVars {
  projectName: string;
  /** Which address changed. */
  kind: 'email' | 'phone';
  /** The new address, masked. */
  newAddress: string;
  options: Readonly<Record<string, string>>;
}

/** What the "you already have an account" notice can use; it never holds a code. */
export interface AccountExistsVars {
  projectName: string;
  options: Readonly<Record<string, string>>;
}

/**
 * One language's texts for every channel. Plain typed data: adding a language is adding a file
 * that satisfies this interface and listing it in `CATALOGS`.
 */
export interface Catalog {
  /** Language tag Twilio's <Say> speaks (https://www.twilio.com/docs/voice/twiml/say#attributes-language). */
  voiceLanguage: string;
  email: {
    subject(v: CodeVars): string;
    greeting(name: string): string;
    /** The line above the code. */
    intro(v: CodeVars): string;
    /** What to do with it and when it expires. */
    instruction(v: CodeVars): string;
    ignore: string;
  };
  sms(v: CodeVars): string;
  whatsapp(v: CodeVars): string;
  voice: {
    /** Spoken before the digits. */
    intro(v: CodeVars): string;
    /** Spoken before the digits are read the second time. */
    again: string;
    outro: string;
  };
  notice: {
    subject(v: NoticeVars): string;
    text(v: NoticeVars): string;
  };
  /** Sent instead of a code when someone signs up with the address of an existing user (anti-enumeration mode). */
  accountExists: {
    subject(v: AccountExistsVars): string;
    text(v: AccountExistsVars): string;
  };
}
