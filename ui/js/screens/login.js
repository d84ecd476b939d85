import { h } from '../dom.js';
import { t } from '../i18n.js';
import { field, errorSummary, showError, requireFilled, busy } from '../forms.js';

export default {
  title: 'login.title',
  render(ctx, params) {
    const summary = errorSummary();
    const submit = h('button', { type: 'submit', class: 'button-primary', id: 'login-submit' }, t('login.submit'));
    const form = h('form', { novalidate: true, 'aria-labelledby': 'login-heading' },
      field({ id: 'login-email', label: t('login.email'), type: 'email', autocomplete: 'username', required: true }),
      field({ id: 'login-password', label: t('login.password'), type: 'password', autocomplete: 'current-password', required: true, toggle: true }),
      h('div', { class: 'actions' }, submit,
        h('button', { type: 'button', class: 'link-button', id: 'login-forgot', onclick: () => ctx.go('forgot') }, t('login.forgot'))));
    const demo = ctx.info?.demo;
    const root = h('div', {},
      h('h1', { id: 'login-heading' }, t('login.title')),
      params.message ? h('p', { class: 'notice', role: 'status' }, params.message) : null,
      demo ? h('div', { class: 'notice', id: 'demo-accounts' },
        h('p', {}, t('login.demo')),
        h('ul', {}, demo.accounts.map((a) => h('li', {}, a))),
        h('p', {}, t('login.demo_password', { password: demo.password }))) : null,
      summary,
      h('div', { class: 'columns' },
        h('section', { class: 'panel' }, form),
        h('section', { class: 'panel', 'aria-labelledby': 'activation-heading' },
          h('h2', { id: 'activation-heading' }, t('login.activation_title')),
          h('p', {}, t('login.activation_text')),
          h('button', { type: 'button', class: 'button-primary', id: 'login-activate', onclick: () => ctx.go('activate') }, t('login.activate')))));

    async function send() {
      if (!requireFilled(root, summary, ['login-email', 'login-password'])) return;
      await busy(submit, async () => {
        try {
          const result = await ctx.call('login', {
            email: root.querySelector('#login-email').value,
            password: root.querySelector('#login-password').value,
          });
          ctx.loggedIn = true;
          if (result.must_change_password) {
            ctx.go('credentials', { expired: true });
          } else {
            ctx.go('home');
          }
        } catch (error) {
          showError(root, summary, error, {}, send);
          if (error.code === 'invalid_credentials') root.querySelector('#login-password').value = '';
        }
      });
    }
    form.addEventListener('submit', (e) => { e.preventDefault(); send(); });
    return root;
  },
};
