import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CATALOGS, catalogFor, resolveLocale } from './locale.js';

describe('resolveLocale', () => {
  it('keeps an exact match', () => {
    assert.equal(resolveLocale('es'), 'es');
    assert.equal(resolveLocale('FR'), 'fr');
  });

  it('falls back from a regional tag to its language', () => {
    assert.equal(resolveLocale('es-MX'), 'es');
    assert.equal(resolveLocale('de_AT'), 'de');
    assert.equal(resolveLocale(' fr-CA '), 'fr');
  });

  it('falls back to English for an unknown, empty or missing locale', () => {
    assert.equal(resolveLocale('pt-BR'), 'en');
    assert.equal(resolveLocale('xx'), 'en');
    assert.equal(resolveLocale(''), 'en');
    assert.equal(resolveLocale(undefined), 'en');
    assert.equal(resolveLocale('constructor'), 'en', 'never an inherited property');
  });

  it('hands back the catalog of the resolved language', () => {
    assert.equal(catalogFor('es-AR').catalog, CATALOGS.es);
    assert.equal(catalogFor('it').locale, 'en');
  });
});
