import { h } from '../dom.js';
import { t, dateTime } from '../i18n.js';

export default {
  title: 'pending.title',
  render(ctx, params) {
    const r = params.result;
    const a = ctx.account;
    return h('div', {},
      h('h1', {}, t('pending.title')),
      a ? h('p', { 'data-user': '' }, [a.civility, a.last_name, a.first_name].filter(Boolean).join(' ')) : null,
      h('div', { class: 'notice', role: 'status' },
        h('p', {}, t('pending.sent')),
        h('p', {}, t('pending.check', { email: r.sent_to })),
        h('p', {}, h('strong', {}, t('pending.not_password'))),
        h('p', {}, t('pending.once'))),
      h('p', {}, t('pending.how')),
      h('p', {}, h('strong', {}, t('pending.delay', { date: dateTime(r.expires_at) }))),
      r.with_new_password ? h('p', {}, t('pending.with_password')) : null,
      h('p', {}, t('pending.old_works')),
      h('p', {}, t('pending.notice', { email: r.notice_sent_to })),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'button-secondary', id: 'pending-ok', onclick: () => ctx.go('home') }, t('pending.ok')),
        h('button', { type: 'button', class: 'button-primary', id: 'pending-activate', onclick: () => ctx.go('activate') }, t('pending.activate'))));
  },
};
