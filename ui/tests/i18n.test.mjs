// node --test ui/tests: the screens' texts and pure helpers, without a window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { MESSAGES, t, setLang, longDate, shortDate } from '../js/i18n.js';

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('every French text has its English twin with the same placeholders', () => {
  for (const [key, entry] of Object.entries(MESSAGES)) {
    assert.equal(entry.length, 2, key);
    const [fr, en] = entry;
    assert.ok(fr.trim().length > 0, `${key}: French missing`);
    assert.ok(en.trim().length > 0, `${key}: English missing`);
    assert.deepEqual(placeholders(fr), placeholders(en), `${key}: placeholders differ`);
  }
});

test('every key used by the screens exists', () => {
  const dir = new URL('../js/screens/', import.meta.url);
  const files = readdirSync(dir).map((f) => new URL(f, dir));
  files.push(new URL('../js/app.js', import.meta.url), new URL('../js/forms.js', import.meta.url));
  const missing = [];
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    for (const [, key] of source.matchAll(/\bt\('([a-z_]+\.[a-z0-9_]+)'/g)) {
      if (!(key in MESSAGES)) missing.push(`${file.pathname.split('/').pop()}: ${key}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('the guide\'s labels are used word for word in French', () => {
  setLang('fr');
  assert.equal(t('login.email'), 'Adresse électronique');
  assert.equal(t('login.password'), 'Mot de passe');
  assert.equal(t('login.submit'), 'Connexion');
  assert.equal(t('home.manage'), 'Gérer les services');
  assert.equal(t('cred.submit'), 'Valider les modifications');
  assert.equal(t('cred.confirm_email'), 'Confirmez votre nouvelle adresse électronique');
  assert.equal(t('act.new_image'), "Changer l'image");
  assert.equal(t('act.save'), 'Sauvegardez ou imprimez le récapitulatif');
});

test('placeholders and dates', () => {
  setLang('fr');
  assert.equal(t('home.subscriber', { number: '20232330000101' }), 'Abonné : 20232330000101');
  assert.equal(longDate('2026-08-24'), '24 août 2026');
  assert.equal(shortDate('2024-05-31'), '31/05/2024');
  setLang('en');
  assert.equal(longDate('2026-08-24'), '24 August 2026');
  assert.equal(t('home.subscriber', { number: '1' }), 'Subscriber: 1');
  setLang('fr');
});

test('no inline script or style attribute in the page (the CSP forbids them)', () => {
  const html = readFileSync(new URL('../index.html', import.meta.url), 'utf8');
  assert.match(html, /<meta charset="utf-8">/);
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
  assert.doesNotMatch(html, /\sstyle=/);
  assert.doesNotMatch(html, /\son[a-z]+=/);
});
