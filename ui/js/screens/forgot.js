import { h } from '../dom.js';
import { t, longDate, policy } from '../i18n.js';
import { field, errorSummary, showError, requireFilled, busy } from '../forms.js';
import { strengthMeter } from './strength.js';

export default {
  title: 'forgot.title',
  render(ctx, params = {}) {
    const body = h('div', {});
    // From an e-mail's link: the code is known, the address is asked beside it.
    const state = { email: '', code: params.code || '' };

    function step(content, ids, map, action, buttonLabel, buttonId) {
      const summary = errorSummary();
      const submit = h('button', { type: 'submit', class: 'button-primary', id: buttonId }, buttonLabel);
      const form = h('form', { novalidate: true }, content, h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'button-secondary', onclick: () => ctx.go('login') }, t('cred.cancel')), submit));
      const root = h('div', {}, summary, form);
      async function send() {
        if (!requireFilled(root, summary, ids)) return;
        await busy(submit, async () => {
          try {
            await action(root);
          } catch (error) {
            showError(root, summary, error, map, send);
          }
        });
      }
      form.addEventListener('submit', (e) => { e.preventDefault(); send(); });
      body.replaceChildren(root);
      root.querySelector('input')?.focus();
    }

    const value = (root, id) => root.querySelector(`#${id}`).value;

    function askEmail() {
      step(h('div', {}, h('p', {}, t('forgot.intro')),
        field({ id: 'forgot-email', label: t('forgot.email'), type: 'email', autocomplete: 'username', required: true })),
      ['forgot-email'], { email: 'forgot-email' }, async (root) => {
        state.email = value(root, 'forgot-email');
        const accepted = await ctx.call('recovery_request', { email: state.email });
        askCode(accepted.message);
      }, t('forgot.send'), 'forgot-send');
    }

    function askCode(message) {
      const needsEmail = !state.email;
      step(h('div', {}, h('p', { class: 'notice', role: 'status' }, message),
        needsEmail ? field({ id: 'forgot-email', label: t('forgot.email'), type: 'email', autocomplete: 'username', required: true }) : null,
        field({ id: 'forgot-code', label: t('forgot.code'), hint: t('forgot.code_hint'), required: true, maxlength: policy().code_chars, value: state.code })),
      [...(needsEmail ? ['forgot-email'] : []), 'forgot-code'], { email: 'forgot-email', code: 'forgot-code' }, async (root) => {
        if (needsEmail) state.email = value(root, 'forgot-email');
        const question = await ctx.call('recovery_question', { email: state.email, code: value(root, 'forgot-code').trim() });
        askAnswer(question);
      }, t('act.continue'), 'forgot-code-continue');
    }

    function askAnswer(question) {
      const newPassword = field({ id: 'forgot-new-password', label: t('cred.new_password'), type: 'password', autocomplete: 'new-password', required: true, toggle: true });
      step(h('div', {},
        h('p', { id: 'forgot-question' }, t('forgot.question', { question: '' }), h('span', { 'data-user': '' }, question)),
        field({ id: 'forgot-answer', label: t('forgot.answer'), type: 'password', required: true, toggle: true }),
        newPassword,
        strengthMeter(ctx, newPassword.querySelector('input'), { emailInput: { value: state.email } }),
        field({ id: 'forgot-confirm-password', label: t('cred.confirm_password'), type: 'password', autocomplete: 'new-password', required: true, toggle: true })),
      ['forgot-answer', 'forgot-new-password', 'forgot-confirm-password'],
      { security_answer: 'forgot-answer', new_password: 'forgot-new-password', confirm_password: 'forgot-confirm-password' },
      async (root) => {
        const done = await ctx.call('recovery_complete', {
          securityAnswer: value(root, 'forgot-answer'),
          newPassword: value(root, 'forgot-new-password'),
          confirmPassword: value(root, 'forgot-confirm-password'),
        });
        ctx.loggedIn = false;
        ctx.refreshHeader();
        body.replaceChildren(h('div', { class: 'success', role: 'status' },
          h('p', {}, t('done.success')),
          h('p', {}, t('done.valid', { date: longDate(done.valid_until) })),
          h('p', {}, t('done.mail'))),
        h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button-primary', id: 'forgot-login', onclick: () => ctx.go('login') }, t('forgot.login'))));
      }, t('forgot.submit'), 'forgot-submit');
    }

    if (state.code) askCode(t('forgot.from_link'));
    else askEmail();
    return h('div', {}, h('h1', {}, t('forgot.title')), body);
  },
};
