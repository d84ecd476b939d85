import { h } from '../dom.js';
import { t } from '../i18n.js';

export default {
  title: 'help.title',
  render(ctx, params) {
    // The service's contacts, or those bundled with the app when it cannot be reached.
    const support = ctx.info?.support;
    const back = params.back || { name: ctx.loggedIn ? 'home' : 'login' };
    return h('div', {},
      h('h1', {}, t('help.title')),
      support ? h('section', { 'aria-labelledby': 'support-heading' },
        h('p', { id: 'support-heading' }, t('help.intro')),
        h('ul', {},
          h('li', {}, t('help.hotline', { hotline: support.hotline, hours: support.hotline_hours })),
          h('li', {}, t('help.form', { form: support.online_form })))) : null,
      h('section', { 'aria-labelledby': 'phishing-heading' },
        h('h2', { id: 'phishing-heading' }, t('help.phishing_title')),
        h('p', {}, t('help.phishing'))),
      h('section', { 'aria-labelledby': 'data-heading' },
        h('h2', { id: 'data-heading' }, t('help.data_title')),
        h('p', {}, t('help.data')),
        h('p', {}, t('help.rights'))),
      h('section', { 'aria-labelledby': 'accessibility-heading' },
        h('h2', { id: 'accessibility-heading' }, t('help.a11y_title')),
        h('p', {}, t('help.a11y_status')),
        h('p', {}, t('help.a11y_checked')),
        h('p', {}, t('help.a11y_limits')),
        h('p', {}, t('help.a11y_contact'))),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'button-secondary', onclick: () => ctx.go(back.name, back.params || {}) }, t('app.back'))));
  },
};
