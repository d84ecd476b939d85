import { h } from '../dom.js';
import { t, longDate } from '../i18n.js';

export default {
  title: 'done.title',
  render(ctx, params) {
    const a = ctx.account;
    return h('div', {},
      h('h1', {}, t('done.title')),
      a ? h('p', { 'data-user': '' }, [a.civility, a.last_name, a.first_name].filter(Boolean).join(' ')) : null,
      h('div', { class: 'success', role: 'status' },
        h('p', { id: 'password-success' }, t('done.success')),
        h('p', { id: 'password-valid-until' }, t('done.valid', { date: longDate(params.result.valid_until) })),
        h('p', {}, t('done.mail'))),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'button-primary', id: 'done-ok', onclick: () => ctx.go('home') }, t('done.ok'))));
  },
};
