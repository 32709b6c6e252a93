import type { Catalog } from './catalog.js';
import { de } from './de.js';
import { en } from './en.js';
import { es } from './es.js';
import { fr } from './fr.js';

export const DEFAULT_LOCALE = 'en';

/** Shipped languages, keyed by lower-case BCP 47 tag; a regional variant (`pt-br`) may sit beside its language. */
export const CATALOGS: Readonly<Record<string, Catalog>> = { en, es, de, fr };

/**
 * The catalog key for a requested locale: the exact tag, else its language, else English.
 * `es-MX` → `es`, `de_AT` → `de`, `pt-BR` → `en`, undefined → `en`.
 */
export function resolveLocale(requested: string | undefined): string {
  const tag = requested?.trim().toLowerCase().replace(/_/g, '-');
  if (!tag) return DEFAULT_LOCALE;
  if (Object.hasOwn(CATALOGS, tag)) return tag;
  const language = tag.split('-')[0]!;
  return Object.hasOwn(CATALOGS, language) ? language : DEFAULT_LOCALE;
}

export function catalogFor(requested: string | undefined): { locale: string; catalog: Catalog } {
  const locale = resolveLocale(requested);
  return { locale, catalog: CATALOGS[locale]! };
}
