import { h } from '../dom.js';
import { t } from '../i18n.js';
import { field, errorSummary, showError, requireFilled, busy } from '../forms.js';
import { captchaBox } from './captcha.js';

export default {
  title: 'login.title',
  render(ctx, params) {
    const summary = errorSummary();
    const submit = h('button', { type: 'submit', class: 'button-primary', id: 'login-submit' }, t('login.submit'));
    // Shown when the service asks for it: the address is over its failure limit (SPEC §4).
    let captcha = null;
    const captchaSlot = h('div', { id: 'login-captcha' });
    const form = h('form', { novalidate: true, 'aria-labelledby': 'login-heading' },
      field({ id: 'login-email', label: t('login.email'), type: 'email', autocomplete: 'username', required: true }),
      field({ id: 'login-password', label: t('login.password'), type: 'password', autocomplete: 'current-password', required: true, toggle: true }),
      captchaSlot,
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
      const required = ['login-email', 'login-password', ...(captcha ? ['captcha-answer'] : [])];
      if (!requireFilled(root, summary, required)) return;
      await busy(submit, async () => {
        const solved = captcha ? await captcha.current() : { captchaId: null, captchaAnswer: null };
        try {
          const result = await ctx.call('login', {
            email: root.querySelector('#login-email').value,
            password: root.querySelector('#login-password').value,
            ...solved,
          });
          ctx.loggedIn = true;
          if (result.must_change_password) {
            ctx.go('credentials', { expired: true });
          } else {
            ctx.go('home');
          }
        } catch (error) {
          if (error.code === 'captcha_required' && !captcha) {
            captcha = captchaBox(ctx, (e, retry) => showError(root, summary, e, {}, retry));
            captchaSlot.append(h('p', { class: 'hint', id: 'login-captcha-why' }, t('login.captcha_why')), captcha.node);
          }
          // A CAPTCHA serves once: a new one for the next attempt.
          if (captcha) await captcha.renew();
          showError(root, summary, error, { captcha_answer: 'captcha-answer' }, send);
          if (error.code === 'invalid_credentials') root.querySelector('#login-password').value = '';
        }
      });
    }
    form.addEventListener('submit', (e) => { e.preventDefault(); send(); });
    return root;
  },
};
