import { h, clear } from '../dom.js';
import { t } from '../i18n.js';
import { field, errorSummary, showError, requireFilled, busy, announce } from '../forms.js';
import { captchaBox } from './captcha.js';

export default {
  title: 'login.title',
  render(ctx, params) {
    const summary = errorSummary();
    const submit = h('button', { type: 'submit', class: 'button-primary', id: 'login-submit' }, t('login.submit'));
    // Shown when the service asks for it: the address is over its failure limit (SPEC §4).
    let captcha = null;
    const captchaSlot = h('div', { id: 'login-captcha' });
    // Shown when the account asks for its second factor (`second_factor_required`).
    let secondFactor = false;
    const totpSlot = h('div', { id: 'login-second-factor' });
    const form = h('form', { novalidate: true, 'aria-labelledby': 'login-heading' },
      field({ id: 'login-email', label: t('login.email'), type: 'email', autocomplete: 'username', required: true }),
      field({ id: 'login-password', label: t('login.password'), type: 'password', autocomplete: 'current-password', required: true, toggle: true }),
      totpSlot,
      captchaSlot,
      h('div', { class: 'actions' }, submit,
        h('button', { type: 'button', class: 'link-button', id: 'login-forgot', onclick: () => ctx.go('forgot') }, t('login.forgot'))));
    const demo = ctx.info?.demo;
    // A notice given as a key is drawn again in the other language when it is switched.
    const message = params.messageKey ? t(params.messageKey, params.messageVars) : params.message;
    const addHeading = h('h2', { id: 'login-add-heading', hidden: true }, t('accounts.add'));
    // The accounts used on this computer (filled once the app has said which).
    const accounts = h('section', { class: 'panel accounts', id: 'known-accounts', 'aria-labelledby': 'accounts-heading', hidden: true });
    const root = h('div', {},
      h('h1', { id: 'login-heading' }, t('login.title')),
      message ? h('p', { class: 'notice', role: 'status' }, message) : null,
      demo ? h('div', { class: 'notice', id: 'demo-accounts' },
        h('p', {}, t('login.demo')),
        h('ul', {}, demo.accounts.map((a) => h('li', {}, a))),
        h('p', {}, t('login.demo_password', { password: demo.password })),
        demo.second_factor_account ? h('p', { id: 'demo-second-factor' }, t('login.demo_second_factor', { email: demo.second_factor_account, code: demo.second_factor_secret })) : null) : null,
      summary,
      accounts,
      h('div', { class: 'columns' },
        h('section', { class: 'panel' }, addHeading, form),
        h('section', { class: 'panel', 'aria-labelledby': 'activation-heading' },
          h('h2', { id: 'activation-heading' }, t('login.activation_title')),
          h('p', {}, t('login.activation_text')),
          h('button', { type: 'button', class: 'button-primary', id: 'login-activate', onclick: () => ctx.go('activate') }, t('login.activate')))));

    async function send() {
      const required = ['login-email', 'login-password', ...(secondFactor ? ['login-totp'] : []), ...(captcha ? ['captcha-answer'] : [])];
      if (!requireFilled(root, summary, required)) return;
      await busy(submit, async () => {
        const solved = captcha ? await captcha.current() : { captchaId: null, captchaAnswer: null };
        try {
          const result = await ctx.call('login', {
            email: root.querySelector('#login-email').value,
            password: root.querySelector('#login-password').value,
            ...solved,
            secondFactorCode: secondFactor ? root.querySelector('#login-totp').value : null,
          });
          ctx.loggedIn = true;
          if (result.must_change_password) {
            ctx.go('credentials', { expired: true });
          } else {
            ctx.go('home');
          }
        } catch (error) {
          if (error.code === 'second_factor_required' && !secondFactor) {
            secondFactor = true;
            totpSlot.append(field({ id: 'login-totp', label: t('login.totp'), hint: t('login.totp_hint'), autocomplete: 'one-time-code', inputmode: 'numeric', required: true, narrow: true }));
            root.querySelector('#login-totp').focus();
            announce(error.message);
            return;
          }
          if (secondFactor && root.querySelector('#login-totp')) {
            // A code serves once: the next attempt takes the next one.
            if (error.code === 'invalid_code') root.querySelector('#login-totp').value = '';
          }
          if (error.code === 'captcha_required' && !captcha) {
            captcha = captchaBox(ctx, (e, retry) => showError(root, summary, e, {}, retry));
            captchaSlot.append(h('p', { class: 'hint', id: 'login-captcha-why' }, t('login.captcha_why')), captcha.node);
          }
          // A CAPTCHA serves once: a new one for the next attempt.
          if (captcha) await captcha.renew();
          showError(root, summary, error, { captcha_answer: 'captcha-answer', totp_code: 'login-totp', recovery_code: 'login-totp' }, send);
          if (error.code === 'invalid_credentials') root.querySelector('#login-password').value = '';
        }
      });
    }
    form.addEventListener('submit', (e) => { e.preventDefault(); send(); });

    /** "Continuer avec ce compte": its session if the keyring has one the service still
     * accepts; otherwise the form, with its address, asks for its password. */
    async function use(account, button) {
      await busy(button, async () => {
        try {
          const result = await ctx.call('switch_account', { subscriberNumber: account.subscriber_number });
          if (result.resumed) {
            ctx.loggedIn = true;
            ctx.go('home');
            announce(t('accounts.resumed', { email: account.login_email }));
            return;
          }
          const email = root.querySelector('#login-email');
          email.value = result.login_email;
          const password = root.querySelector('#login-password');
          password.value = '';
          password.focus();
          announce(t('accounts.password_needed', { email: result.login_email }));
          showAccounts();
        } catch (error) {
          showError(root, summary, error);
        }
      });
    }

    async function forget(account, button) {
      await busy(button, async () => {
        try {
          await ctx.call('forget_account', { subscriberNumber: account.subscriber_number });
          announce(t('accounts.forgotten', { email: account.login_email }));
          await showAccounts();
          root.querySelector('#login-email')?.focus();
        } catch (error) {
          showError(root, summary, error);
        }
      });
    }

    async function quitAll(button) {
      await busy(button, async () => {
        try {
          await ctx.call('logout_all');
          announce(t('accounts.all_ended'));
          await showAccounts();
        } catch (error) {
          showError(root, summary, error);
        }
      });
    }

    async function showAccounts() {
      let list = [];
      // Until the list is known the form below may still move down: marked as loading, so
      // that nothing (a test's click included) acts on a button about to shift.
      root.dataset.loading = 'true';
      accounts.setAttribute('aria-busy', 'true');
      try {
        list = await ctx.call('known_accounts');
      } catch {
        list = [];
      } finally {
        delete root.dataset.loading;
        accounts.removeAttribute('aria-busy');
      }
      clear(accounts);
      accounts.hidden = list.length === 0;
      addHeading.hidden = list.length === 0;
      if (!list.length) return;
      accounts.append(
        h('h2', { id: 'accounts-heading' }, t('accounts.title')),
        h('p', { class: 'hint' }, t('accounts.hint')),
        h('ul', { class: 'account-list' }, list.map((a) => h('li', { class: 'account', 'data-account': a.subscriber_number },
          h('p', {},
            h('strong', { 'data-user': true }, a.login_email), ' ',
            h('span', {}, t('accounts.number', { number: a.subscriber_number })), ' ',
            a.signed_in ? h('span', { class: 'badge' }, t('accounts.signed_in')) : null),
          h('div', { class: 'actions' },
            h('button', {
              type: 'button', class: 'button-primary', id: `account-use-${a.subscriber_number}`,
              'aria-label': t('accounts.use_label', { email: a.login_email }),
              onclick: (e) => use(a, e.currentTarget),
            }, t('accounts.use')),
            h('button', {
              type: 'button', class: 'button-secondary', id: `account-forget-${a.subscriber_number}`,
              'aria-label': t('accounts.forget_label', { email: a.login_email }),
              onclick: (e) => forget(a, e.currentTarget),
            }, t('accounts.forget')))))),
        // append() would write a null out as the text "null".
        ...(list.some((a) => a.signed_in)
          ? [h('button', { type: 'button', class: 'button-secondary', id: 'accounts-quit-all', onclick: (e) => quitAll(e.currentTarget) }, t('app.quit_all'))]
          : []));
    }
    showAccounts();
    return root;
  },
};
