import { registerDecorator, type ValidationOptions } from 'class-validator';

/** Documented caps of `templateOptions`: keys per request, characters per key and per value. */
export const TEMPLATE_OPTIONS_LIMITS = { keys: 20, keyLength: 40, valueLength: 100 } as const;

/**
 * Characters a template value may not hold: controls (C0, DEL, C1), line and paragraph separators,
 * and the invisible bidi and zero-width formatting characters that can disguise text.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
const KEY = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Why `value` is not acceptable as `templateOptions`, or null. */
export function templateOptionsProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'templateOptions must be an object of strings';
  const entries = Object.entries(value);
  const { keys, keyLength, valueLength } = TEMPLATE_OPTIONS_LIMITS;
  if (entries.length > keys) return `templateOptions may hold at most ${keys} keys`;
  for (const [key, option] of entries) {
    if (!KEY.test(key) || key.length > keyLength) {
      return `templateOptions keys must be letters, digits and _ (at most ${keyLength}), starting with a letter`;
    }
    if (typeof option !== 'string') return `templateOptions.${key} must be a string`;
    if (option.length > valueLength) return `templateOptions.${key} must be at most ${valueLength} characters`;
    if (FORBIDDEN.test(option)) return `templateOptions.${key} must be one line without control or formatting characters`;
  }
  return null;
}

/** class-validator decorator for `templateOptions` (see templateOptionsProblem). */
export function IsTemplateOptions(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTemplateOptions',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => templateOptionsProblem(value) === null,
        defaultMessage: (args) => templateOptionsProblem(args?.value) ?? 'templateOptions is invalid',
      },
    });
}

/** Characters after which a zero-width space goes, so that no mail client or phone sees a link. */
const LINK_PUNCTUATION = /([.:/@\u3002\uff0e\uff61\uff1a\uff0f])/g;

/**
 * A template value as a message may show it: one line, no controls, capped, and with a zero-width
 * space after every dot, colon, slash and @, so that "https://evil.example" or "www.evil.example"
 * reads the same but is not turned into a link by mail clients or phones. The worker applies this to
 * every value, whatever the API checked, so jobs queued by older versions are safe too.
 */
export function displayOption(value: string): string {
  return value
    .replace(new RegExp(FORBIDDEN.source, 'g'), ' ')
    .slice(0, TEMPLATE_OPTIONS_LIMITS.valueLength)
    .replace(LINK_PUNCTUATION, '$1\u200b');
}

/** Every value of `options` through displayOption; anything that is not a string is dropped. */
export function displayOptions(options: Readonly<Record<string, unknown>> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(options ?? {}).flatMap(([key, value]) => (typeof value === 'string' ? [[key, displayOption(value)]] : [])));
}
