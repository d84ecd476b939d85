// node --test ui/tests: the screens' texts and pure helpers, without a window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { MESSAGES, t, setLang, setPolicy, policy, longDate, shortDate, registrationDate, dateTime, setZone } from '../js/i18n.js';
import { topMessage, fieldMessage } from '../js/forms.js';

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

// Unusual numbers, so that a text that wrote a default down instead of quoting the policy shows.
const INFO = {
  policy: { min_chars: 24, max_chars: 99, min_score: 3 },
  limits: {
    email_max_chars: 77, code_chars: 11, activation_code_validity_hours: 7,
    recovery_code_validity_minutes: 33, captcha_chars: 5, phone_max_chars: 19,
    address_max_chars: 201, security_question_max_chars: 202, security_answer_max_chars: 101,
  },
};

test('texts that name a rule quote the numbers the service publishes', () => {
  setPolicy(INFO);
  for (const lang of ['fr', 'en']) {
    setLang(lang);
    assert.match(t('cred.change_password'), /\b24\b/);
    assert.match(t('rule.too_short'), /\b24\b/);
    assert.match(t('err.password.too_short'), /\b24\b/);
    assert.match(fieldMessage('new_password', 'too_short'), /\b24\b/);
    assert.match(t('rule.too_long'), /\b99\b/);
    assert.match(t('err.password.too_long'), /\b99\b/);
    assert.match(fieldMessage('phone', 'too_long'), /\b19\b/);
    assert.match(t('cred.email_hint'), /\b77\b/);
    assert.match(fieldMessage('new_email', 'too_long'), /\b77\b/);
    assert.match(t('pending.delay', { date: 'x' }), /\b7\s?h/);
    assert.match(t('act.code_hint'), /\b11\b/);
    assert.match(t('act.captcha_hint'), /\b5\b/);
    assert.match(t('forgot.code_hint'), /\b11\b.*\b33\b/);
  }
  assert.equal(policy().phone_max, 19);
  setLang('fr');
});

test('no text writes down a rule number, and every placeholder is filled', () => {
  setPolicy(INFO);
  const leftovers = [];
  for (const lang of ['fr', 'en']) {
    setLang(lang);
    for (const key of Object.keys(MESSAGES)) {
      const text = t(key, { email: 'a@b.fr', date: 'd', number: 'n', level: 'l', path: 'p', password: 'p', question: 'q', hotline: 'h', hours: 7, form: 'f', siren: 's', code: 'c', to: 't', url: 'u', name: 'n', version: 'v', current: 'c0', notes: 'x', when: 'w', days: 9, field: 'f', time: 'tm', count: 3 });
      if (/\{\w+\}/.test(text)) leftovers.push(`${lang} ${key}: ${text}`);
      if (/\b(20 (caractères|characters)|128|48 ?h|100 caractères)/.test(text)) leftovers.push(`${lang} ${key} writes a default down: ${text}`);
    }
  }
  setLang('fr');
  assert.deepEqual(leftovers, []);
});

test('a field\'s message speaks of that field, never of another', () => {
  setPolicy(INFO);
  for (const lang of ['fr', 'en']) {
    setLang(lang);
    const password = lang === 'fr' ? /mots? de passe/i : /password/i;
    const address = lang === 'fr' ? /adresse/i : /address/i;
    for (const [field, code] of [['new_email', 'too_long'], ['email', 'too_long'], ['new_email', 'invalid_character'],
      ['security_question', 'invalid_character'], ['address', 'invalid_character'], ['email', 'not_requested'],
      ['confirm_email', 'mismatch'], ['new_email', 'same_as_current'], ['security_answer', 'too_long'], ['phone', 'invalid_phone']]) {
      assert.doesNotMatch(fieldMessage(field, code), password, `${lang} ${field}/${code}`);
    }
    for (const [field, code] of [['new_password', 'too_long'], ['confirm_password', 'mismatch'], ['current_password', 'incorrect'], ['new_password', 'invalid_character']]) {
      assert.match(fieldMessage(field, code), password, `${lang} ${field}/${code}`);
    }
    for (const [field, code] of [['new_email', 'too_long'], ['email', 'invalid_email'], ['confirm_email', 'mismatch']]) {
      assert.match(fieldMessage(field, code), address, `${lang} ${field}/${code}`);
    }
    // A wrong address at activation is not a confirmation that differs.
    assert.doesNotMatch(fieldMessage('email', 'not_requested'), /identiques|not the same/);
  }
  setLang('fr');
});

test('the app\'s own errors from its texts, the service\'s as it wrote them', () => {
  setLang('en');
  assert.match(topMessage({ code: 'network', message: 'Le service Espace Pro est injoignable.' }), /^The Espace Pro service cannot be reached/);
  assert.equal(topMessage({ code: 'invalid_code', message: 'This code is not recognised.' }), 'This code is not recognised.');
  setLang('fr');
  assert.match(topMessage({ code: 'network', message: 'x' }), /^Le service Espace Pro est injoignable/);
  for (const key of Object.keys(MESSAGES).filter((k) => k.startsWith('apperr.'))) {
    assert.ok(!/[éèàç«»]/.test(MESSAGES[key][1]), key);
  }
});

test('a subscriber number carries its registration day', () => {
  // 2023, day 237: 25 August 2023 (the guide's own account).
  assert.equal(registrationDate('20232370000001'), '2023-08-25');
  assert.equal(registrationDate('20240600000012'), '2024-02-29');
  assert.equal(registrationDate('20233660000001'), null, 'no 366th day in 2023');
  assert.equal(registrationDate('2023237'), null);
  assert.equal(registrationDate('abcdefghijklmn'), null);
});

test('times are those of the service\'s zone, summer time included', () => {
  setZone('Europe/Paris');
  setLang('fr');
  // 23:30 UTC on 27 November is 00:30 on the 28th in Paris.
  assert.equal(dateTime('2026-11-27T23:30:00Z'), '28/11/2026 à 00 h 30');
  assert.equal(dateTime('2026-07-01T12:00:00Z'), '01/07/2026 à 14 h 00');
  setLang('en');
  assert.equal(dateTime('2026-11-27T23:30:00Z'), '28/11/2026 at 00:30');
  setZone('America/Cayenne');
  assert.equal(dateTime('2026-11-28T02:00:00Z'), '27/11/2026 at 23:00');
  setZone('Not/AZone');
  assert.equal(dateTime('2026-11-27T23:30:00Z'), '28/11/2026 at 00:30');
  setLang('fr');
});
