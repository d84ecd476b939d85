// Parts several screens share.

import { h } from '../dom.js';
import { t, shortDate } from '../i18n.js';
import { errorSummary, showError } from '../forms.js';

/** "Mme Lila ROSEMONDE", "Abonné : …", "Expiration du mot de passe : …". */
export function identity(account) {
  return h('div', { class: 'identity' },
    h('p', { class: 'identity-name' }, [account.civility, account.first_name, account.last_name].filter(Boolean).join(' ')),
    h('p', {}, t('home.subscriber', { number: account.subscriber_number })),
    h('p', {}, t('home.expiry', { date: shortDate(account.password_expires_on) })));
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
      slot.replaceChildren();
      showError(root, summary, error, {}, run);
    }
  }
  run();
  return root;
}

export function backButton(ctx, to = 'home', label = t('app.home')) {
  return h('button', { type: 'button', class: 'button-secondary', onclick: () => ctx.go(to.name || to, to.params || {}) }, label);
}
