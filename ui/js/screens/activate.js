import { h } from '../dom.js';
import { t, longDate, policy, registrationDate } from '../i18n.js';
import { field, errorSummary, showError, requireFilled, busy, announce } from '../forms.js';
import { summaryActions } from './summary.js';
import { captchaBox } from './captcha.js';

const STEPS = ['act.step_code', 'act.step_ids', 'act.step_summary'];

function stepper(active) {
  return h('ol', { class: 'stepper', 'aria-label': t('act.steps') },
    STEPS.map((key, i) => h('li', { 'aria-current': i === active ? 'step' : false }, t(key))));
}

/** Step 1: the code and a CAPTCHA ("Changer l'image", "Écouter l'extrait sonore"). */
function codeStep(ctx, state) {
  const summary = errorSummary();
  const captcha = captchaBox(ctx, (error, retry) => showError(root, summary, error, {}, retry));
  const submit = h('button', { type: 'submit', class: 'button-primary', id: 'code-continue' }, t('act.continue'));
  const form = h('form', { novalidate: true },
    field({ id: 'activation-code', label: t('act.code'), hint: t('act.code_hint'), required: true, maxlength: policy().code_chars, value: state.code || '' }),
    captcha.node,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button-secondary', id: 'code-cancel', onclick: () => ctx.go(ctx.loggedIn ? 'home' : 'login') }, t('cred.cancel')),
      submit));
  const root = h('div', {}, h('p', {}, t('app.required')),
    state.fromLink ? h('p', { class: 'notice', id: 'activation-from-link' }, t('act.from_link')) : null,
    summary, form);
  async function send() {
    if (!requireFilled(root, summary, ['activation-code', 'captcha-answer'])) return;
    await busy(submit, async () => {
      const solved = await captcha.current();
      const code = root.querySelector('#activation-code').value.trim();
      try {
        await ctx.call('verify_activation_code', { code, ...solved });
        state.code = code;
        state.step = 1;
        state.render();
      } catch (error) {
        // Every attempt needs a fresh CAPTCHA: the one just used is spent.
        await captcha.renew();
        showError(root, summary, error, { code: 'activation-code', captcha_answer: 'captcha-answer' }, send);
      }
    });
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); send(); });
  // The answer typed while the first image loads is kept.
  captcha.renew(true);
  return root;
}

/** Step 2: the new login address. */
function addressStep(ctx, state) {
  const summary = errorSummary();
  const submit = h('button', { type: 'submit', class: 'button-primary', id: 'address-continue' }, t('act.continue'));
  const form = h('form', { novalidate: true },
    h('p', {}, t('act.code_shown', { code: state.code })),
    field({ id: 'activation-email', label: t('act.email'), hint: t('act.email_hint'), type: 'email', required: true, autocomplete: 'email' }),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button-secondary', onclick: () => { state.step = 0; state.render(); } }, t('act.previous')),
      h('button', { type: 'button', class: 'button-secondary', onclick: () => { form.querySelector('#activation-email').value = ''; } }, t('act.clear')),
      submit));
  const root = h('div', {}, h('p', {}, t('app.required')), summary, form);
  async function send() {
    if (!requireFilled(root, summary, ['activation-email'])) return;
    await busy(submit, async () => {
      try {
        state.result = await ctx.call('complete_activation', { email: root.querySelector('#activation-email').value });
        // Activation ends every session of the account, this one included.
        ctx.loggedIn = false;
        ctx.refreshHeader();
        state.step = 2;
        state.render();
      } catch (error) {
        if (['code_locked', 'code_expired', 'ticket_expired', 'no_ticket'].includes(error.code)) {
          state.step = 0;
          state.render();
          state.showError(error);
          return;
        }
        showError(root, summary, error, { email: 'activation-email' }, send);
      }
    });
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); send(); });
  return root;
}

/** Step 3: "Votre inscription", the summary, and the way back to log in. */
function summaryStep(ctx, state) {
  const s = state.result;
  return h('div', {},
    h('h2', {}, t('act.registration')),
    h('p', { class: 'identity-name', 'data-user': '' }, `${s.first_name} ${s.last_name}`),
    // The guide's recap: the day of registration, which the subscriber number carries; the
    // activation day beside it when it is another.
    h('p', { id: 'activation-done' }, t('act.done', { date: longDate(registrationDate(s.subscriber_number) ?? s.activated_on), number: s.subscriber_number })),
    registrationDate(s.subscriber_number) && registrationDate(s.subscriber_number) !== String(s.activated_on).slice(0, 10)
      ? h('p', { id: 'activation-day' }, t('act.activated_on', { date: longDate(s.activated_on) }))
      : null,
    h('p', {}, t('act.personal')),
    summaryActions(ctx),
    h('p', {}, t('act.keep')),
    h('p', { class: 'notice' }, t('act.old_refused')),
    h('h2', {}, t('act.services')),
    h('p', {}, t('act.services_text')),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button-primary', id: 'activation-go', onclick: () => ctx.go('login') }, t('act.go'))));
}

export default {
  title: 'act.title',
  render(ctx, params = {}) {
    const body = h('div', {});
    const state = {
      step: 0,
      // From an e-mail's link: the code is filled in, the CAPTCHA is next.
      code: params.code || '',
      fromLink: Boolean(params.code),
      result: null,
      render() {
        const content = [codeStep, addressStep, summaryStep][state.step](ctx, state);
        body.replaceChildren(stepper(state.step), content);
        announce(t(STEPS[state.step]));
        const empty = [...body.querySelectorAll('input')].find((i) => !i.value);
        (empty || body.querySelector('input'))?.focus();
      },
      showError(error) {
        const summary = body.querySelector('.error-summary');
        if (summary) showError(body, summary, error);
      },
    };
    state.render();
    return h('div', {}, h('h1', {}, t('act.title')), body);
  },
};
