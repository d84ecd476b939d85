import { h } from '../dom.js';
import { t, dateTime, shortDate } from '../i18n.js';
import { announce } from '../forms.js';
import { identity, loading, passwordGate } from './common.js';

/**
 * The pending change of address, with "Annuler la demande": the service asks for the password
 * when it was last entered more than a few minutes ago, and the cancellation goes on once it is
 * given.
 */
function pendingChange(ctx, pending) {
  const gate = h('div', { id: 'pending-reauth' });
  const cancel = async () => {
    try {
      await ctx.call('cancel_email_change');
      announce(t('home.pending_cancelled'));
      ctx.go('home');
    } catch (error) {
      if (ctx.sessionEnded(error)) return;
      if (error.code === 'reauthentication_required') {
        gate.replaceChildren(passwordGate(ctx, cancel, 'reauth.why_cancel'));
        gate.querySelector('input')?.focus();
        return;
      }
      ctx.go('home');
    }
  };
  return h('div', { class: 'notice', id: 'pending-change' },
    h('p', {}, t('home.pending', { email: pending.new_email, date: dateTime(pending.expires_at) })),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button-primary', onclick: () => ctx.go('activate') }, t('home.pending_activate')),
      h('button', { type: 'button', class: 'button-secondary', onclick: cancel }, t('home.pending_cancel'))),
    gate);
}

function dossiers(account) {
  const list = account.dossiers;
  if (list.length === 0) {
    return h('section', { 'aria-labelledby': 'services-heading' },
      h('h2', { id: 'services-heading' }, t('home.my_services')),
      h('p', {}, t('home.join_text')),
      h('p', { class: 'unavailable' }, `${t('home.join')} (${t('app.not_available')})`));
  }
  if (list.length === 1) {
    return h('section', { 'aria-labelledby': 'current-heading' },
      h('h2', { id: 'current-heading' }, t('home.current')),
      h('p', {}, t('home.siren', { siren: list[0].siren })),
      h('p', { class: 'dossier-name', 'data-user': '' }, list[0].name));
  }
  const all = h('ul', { id: 'all-dossiers', hidden: true }, list.map((d) => h('li', {}, `${t('home.siren', { siren: d.siren })} — `, h('span', { 'data-user': '' }, d.name))));
  // The dossier's name is the user's data, in whatever language it was written.
  const current = h('p', { id: 'current-dossier', 'aria-live': 'polite', 'data-user': '' }, `${t('home.siren', { siren: list[0].siren })} — ${list[0].name}`);
  const select = h('select', { id: 'dossier-choice' }, list.map((d) => h('option', { value: d.siren, 'data-user': '' }, `${d.siren} — ${d.name}`)));
  select.addEventListener('change', () => {
    const d = list.find((x) => x.siren === select.value);
    current.textContent = `${t('home.siren', { siren: d.siren })} — ${d.name}`;
  });
  const toggle = h('button', { type: 'button', class: 'link-button', 'aria-expanded': 'false', 'aria-controls': 'all-dossiers' }, t('home.all'));
  toggle.addEventListener('click', () => {
    all.hidden = !all.hidden;
    toggle.setAttribute('aria-expanded', String(!all.hidden));
  });
  return h('section', { 'aria-labelledby': 'files-heading' },
    h('h2', { id: 'files-heading' }, t('home.files')),
    h('div', { class: 'field' }, h('label', { for: 'dossier-choice' }, t('home.choose')), select),
    h('h3', {}, t('home.current')), current,
    toggle, all);
}

/** The password expires within the service's first reminder threshold: say when, and lead to
 * the change. */
function expiryBanner(ctx, account) {
  const thresholds = ctx.info?.service?.expiry_reminder_days ?? [30, 7, 1];
  const days = account.password_expires_in_days;
  if (typeof days !== 'number' || days < 0 || days > Math.max(...thresholds)) return null;
  const when = days === 0 ? t('expiry.today') : days === 1 ? t('expiry.tomorrow') : t('expiry.in_days', { days });
  return h('div', { class: 'notice', id: 'expiry-banner', role: 'status' },
    h('p', {}, t('expiry.text', { when, date: shortDate(account.password_expires_on) })),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button-primary', id: 'expiry-change', onclick: () => ctx.go('credentials') }, t('expiry.change'))));
}

export default {
  title: 'home.title',
  render(ctx) {
    return h('div', {},
      h('h1', {}, t('home.title')),
      loading(ctx, () => ctx.call('home'), (account) => {
        ctx.account = account;
        const pending = account.pending_email_change;
        return h('div', {},
          identity(account),
          expiryBanner(ctx, account),
          pending ? pendingChange(ctx, pending) : null,
          dossiers(account),
          h('section', { 'aria-labelledby': 'space-heading' },
            h('h2', { id: 'space-heading' }, t('home.my_space')),
            h('ul', { class: 'service-list' },
              h('li', {}, h('button', { type: 'button', class: 'button-primary', id: 'home-manage', onclick: () => ctx.go('services') }, t('home.manage'))),
              h('li', {}, h('button', { type: 'button', class: 'link-button', onclick: () => ctx.go('activity') }, t('home.activity'))),
              h('li', {}, h('button', { type: 'button', class: 'link-button', id: 'home-devices', onclick: () => ctx.go('devices') }, t('home.devices'))),
              h('li', {}, h('button', { type: 'button', class: 'link-button', id: 'home-totp', onclick: () => ctx.go('totp') }, t('home.totp'))),
              h('li', {}, h('button', { type: 'button', class: 'link-button', id: 'home-export', onclick: () => ctx.go('export') }, t('home.export'))))));
      }));
  },
};
