// Parts several screens share.

import { h } from '../dom.js';
import { t, shortDate } from '../i18n.js';
import { errorSummary, showError, field, requireFilled, busy, announce } from '../forms.js';

/** "Mme Lila ROSEMONDE", "Abonné : …", "Expiration du mot de passe : …". */
export function identity(account) {
  return h('div', { class: 'identity' },
    h('p', { class: 'identity-name', 'data-user': '' }, [account.civility, account.first_name, account.last_name].filter(Boolean).join(' ')),
    h('p', {}, t('home.subscriber', { number: account.subscriber_number })),
    h('p', {}, t('home.expiry', { date: shortDate(account.password_expires_on) })));
}

/** How often an open form asks whether the current password has become necessary. */
const REAUTH_CHECK_MS = 10000;

/**
 * Shows the "Mot de passe actuel" field (`current`, hidden until then) as soon as the service
 * says a change will need it: when the form opens, and while it stays open (the delay runs out
 * while the person types). So the first "Valider" is not refused for a field that was not there.
 */
export function currentPasswordWhenNeeded(ctx, root, current) {
  // The password was entered before the form opened, so within the service's delay the field
  // is needed: asking stops then (each question also keeps the session alive).
  const delay = ctx.info?.service?.reauthentication_after_seconds ?? 300;
  const until = Date.now() + (delay + 30) * 1000;
  let timer = null;
  async function check() {
    if (!root.isConnected || Date.now() > until) {
      clearInterval(timer);
      return;
    }
    if (!current.hidden) return;
    try {
      const account = await ctx.call('home');
      ctx.account = account;
      if (account.reauthentication_needed && current.hidden && root.isConnected) {
        current.hidden = false;
        announce(t('cred.current_needed'));
      }
    } catch {
      // The form's own request will say what is wrong.
    }
  }
  setTimeout(check, 0);
  timer = setInterval(check, REAUTH_CHECK_MS);
}

/**
 * A screen that needs data first: shows "Chargement…", runs `load`, then `fill(data)`. On
 * failure the error is shown with "Réessayer" (or the user is sent to log in).
 */
export function loading(ctx, load, fill) {
  const slot = h('div', { 'aria-live': 'polite' }, h('p', {}, t('app.loading')));
  const summary = errorSummary();
  const root = h('div', {}, summary, slot);
  async function run() {
    try {
      const data = await load();
      slot.replaceChildren(fill(data));
    } catch (error) {
      if (ctx.sessionEnded(error)) return;
      if (error.code === 'reauthentication_required') {
        slot.replaceChildren(passwordGate(ctx, run));
        slot.querySelector('input')?.focus();
        return;
      }
      slot.replaceChildren();
      showError(root, summary, error, {}, run);
    }
  }
  run();
  return root;
}

/**
 * The second factor's code beside "Mot de passe actuel", hidden until the service asks it
 * (`second_factor_required`): an account with a second factor confirms a change with both.
 */
export function secondFactorField(id) {
  const code = field({ id, label: t('login.totp'), hint: t('login.totp_hint'), autocomplete: 'one-time-code', inputmode: 'numeric', narrow: true });
  code.hidden = true;
  return code;
}

/** Shows `code` (from [`secondFactorField`]) when `error` asks for it; true then. A code serves
 * once: after any other answer (the code taken, the change then refused or done) it is emptied
 * and hidden, so that sending the form again never sends a used code (which counts as wrong). */
export function revealSecondFactor(code, error) {
  const input = code.querySelector('input');
  if (error?.code === 'second_factor_required') {
    code.hidden = false;
    input.focus();
    return true;
  }
  const stillAsked = ['invalid_code', 'code_locked', 'reauthentication_failed'].includes(error?.code);
  input.value = '';
  if (!stillAsked) code.hidden = true;
  return false;
}

/** The code typed, or null when its field is hidden or empty. */
export function secondFactorValue(code) {
  return code.hidden ? null : (code.querySelector('input').value.trim() || null);
}

/**
 * "Mot de passe actuel" before showing what it protects (the security answer), when the
 * password was last entered more than a few minutes ago. `onConfirmed` runs once it is right.
 */
export function passwordGate(ctx, onConfirmed, why = 'reauth.why') {
  const summary = errorSummary();
  const submit = h('button', { type: 'submit', class: 'button-primary', id: 'reauth-continue' }, t('act.continue'));
  const code = secondFactorField('reauth-totp');
  const form = h('form', { novalidate: true, id: 'reauth-form' },
    h('p', {}, t(why)),
    field({ id: 'reauth-password', label: t('cred.current'), type: 'password', autocomplete: 'current-password', required: true, toggle: true }),
    code,
    h('div', { class: 'actions' }, submit));
  const root = h('div', { class: 'panel' }, summary, form);
  async function send() {
    if (!requireFilled(root, summary, ['reauth-password'])) return;
    await busy(submit, async () => {
      try {
        await ctx.call('reauthenticate', { currentPassword: root.querySelector('#reauth-password').value, totpCode: secondFactorValue(code) });
        onConfirmed();
      } catch (error) {
        if (ctx.sessionEnded(error)) return;
        revealSecondFactor(code, error);
        showError(root, summary, error, { current_password: 'reauth-password', totp_code: 'reauth-totp' }, send);
      }
    });
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); send(); });
  return root;
}

export function backButton(ctx, to = 'home', label = t('app.home')) {
  return h('button', { type: 'button', class: 'button-secondary', onclick: () => ctx.go(to.name || to, to.params || {}) }, label);
}
