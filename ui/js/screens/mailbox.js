import { h } from '../dom.js';
import { t, dateTime } from '../i18n.js';
import { loading } from './common.js';

export default {
  title: 'mailbox.title',
  render(ctx, params) {
    const back = params.back || { name: ctx.loggedIn ? 'home' : 'login' };
    return h('div', {},
      h('h1', {}, t('mailbox.title')),
      h('p', {}, t('mailbox.intro')),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'button-secondary', id: 'mailbox-back', onclick: () => ctx.go(back.name, back.params || {}) }, t('app.back')),
        h('button', { type: 'button', class: 'button-primary', id: 'mailbox-refresh', onclick: () => ctx.go('mailbox', params) }, t('mailbox.refresh'))),
      loading(ctx, () => ctx.call('demo_mailbox'), (mails) =>
        mails.length === 0
          ? h('p', {}, t('mailbox.empty'))
          : h('div', {}, mails.map((m, i) => h('article', { class: 'mail', 'aria-labelledby': `mail-${i}` },
            h('h2', { id: `mail-${i}`, lang: 'fr' }, m.subject),
            h('p', {}, t('mailbox.to', { to: m.to })),
            h('p', {}, t('mailbox.date', { date: dateTime(m.date) })),
            h('pre', { lang: 'fr' }, m.body))))));
  },
};
