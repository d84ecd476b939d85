// "Double authentification" (SPEC §4): turned on with an authenticator app (the secret as a QR
// code drawn by the app and as text, confirmed by a first code), its 10 recovery codes shown once
// and saved or printed, turned off with the password and a code.

import { h } from '../dom.js';
import { t, dateTime } from '../i18n.js';
import { field, errorSummary, showError, clearErrors, requireFilled, busy, announce } from '../forms.js';
import { backButton } from './common.js';

export default {
  title: 'totp.title',
  render(ctx) {
    const summary = errorSummary();
    const status = h('p', { id: 'totp-status', role: 'status', 'aria-live': 'polite' });
    const body = h('div', { id: 'totp-body', 'aria-busy': 'true' });
    const root = h('div', {},
      h('h1', {}, t('totp.title')),
      h('p', {}, t('totp.intro')),
      summary,
      body,
      status,
      h('div', { class: 'actions' }, backButton(ctx)));

    async function load() {
      try {
        const state = await ctx.call('second_factor_state');
        body.removeAttribute('aria-busy');
        body.replaceChildren(state.enabled ? onView(state) : offView());
      } catch (error) {
        if (ctx.sessionEnded(error)) return;
        showError(root, summary, error, {}, load);
      }
    }

    /** Off: "Activer la double authentification", with the current password (always). */
    function offView() {
      const start = h('button', { type: 'submit', class: 'button-primary', id: 'totp-start' }, t('totp.start'));
      const form = h('form', { novalidate: true, id: 'totp-start-form' },
        field({ id: 'totp-start-password', label: t('cred.current'), hint: t('totp.why'), type: 'password', autocomplete: 'current-password', required: true, toggle: true }),
        h('div', { class: 'actions' }, start));
      const view = h('section', { class: 'panel', 'aria-labelledby': 'totp-off-heading' },
        h('h2', { id: 'totp-off-heading' }, t('totp.off_title')),
        h('p', {}, t('totp.off_text')),
        form);
      async function run() {
        if (!requireFilled(root, summary, ['totp-start-password'])) return;
        await busy(start, async () => {
          try {
            const enrolment = await ctx.call('start_second_factor', { password: root.querySelector('#totp-start-password').value });
            clearErrors(root, summary);
            body.replaceChildren(enrolView(enrolment));
            body.querySelector('#totp-code')?.focus();
          } catch (error) {
            if (ctx.sessionEnded(error)) return;
            showError(root, summary, error, { current_password: 'totp-start-password' }, run);
          }
        });
      }
      form.addEventListener('submit', (e) => { e.preventDefault(); run(); });
      return view;
    }

    /** The QR code and the secret, then the first code. */
    function enrolView(enrolment) {
      const submit = h('button', { type: 'submit', class: 'button-primary', id: 'totp-confirm' }, t('totp.confirm'));
      const form = h('form', { novalidate: true, id: 'totp-form' },
        field({ id: 'totp-code', label: t('totp.code'), hint: t('totp.code_hint'), inputmode: 'numeric', autocomplete: 'one-time-code', required: true, maxlength: 6, narrow: true }),
        h('div', { class: 'actions' }, submit));
      async function send() {
        if (!requireFilled(root, summary, ['totp-code'])) return;
        await busy(submit, async () => {
          try {
            const codes = await ctx.call('confirm_second_factor', { code: root.querySelector('#totp-code').value });
            clearErrors(root, summary);
            body.replaceChildren(codesView(codes));
            body.querySelector('h2')?.focus();
            announce(t('totp.enabled'));
          } catch (error) {
            if (ctx.sessionEnded(error)) return;
            showError(root, summary, error, { code: 'totp-code' }, send);
          }
        });
      }
      form.addEventListener('submit', (e) => { e.preventDefault(); send(); });
      return h('section', { class: 'panel', 'aria-labelledby': 'totp-enrol-heading' },
        h('h2', { id: 'totp-enrol-heading' }, t('totp.enrol_title')),
        h('ol', {},
          h('li', {}, t('totp.step_app')),
          h('li', {}, t('totp.step_scan'),
            h('div', { class: 'qr' }, h('img', { src: enrolment.qr_code, id: 'totp-qr', alt: t('totp.qr_alt'), width: 220, height: 220 })),
            h('p', {}, t('totp.step_text')),
            h('p', {}, h('code', { id: 'totp-secret', class: 'secret' }, enrolment.secret))),
          h('li', {}, t('totp.step_code', { time: dateTime(enrolment.expires_at) }))),
        form);
    }

    /** The recovery codes, shown this once. */
    function codesView(codes) {
      const save = h('button', { type: 'button', class: 'button-primary', id: 'totp-save-codes' }, t('totp.save_codes'));
      const print = h('button', { type: 'button', class: 'button-secondary', id: 'totp-print-codes' }, t('totp.print_codes'));
      const done = h('button', { type: 'button', class: 'button-secondary', id: 'totp-done' }, t('totp.done'));
      save.addEventListener('click', () => busy(save, async () => {
        try {
          const path = await ctx.call('save_recovery_codes');
          status.textContent = path ? t('totp.codes_saved', { path }) : t('export.cancelled');
        } catch (error) {
          if (ctx.sessionEnded(error)) return;
          showError(root, summary, error);
        }
      }));
      print.addEventListener('click', () => busy(print, async () => {
        try {
          await ctx.call('print_recovery_codes');
          status.textContent = t('totp.codes_printed');
        } catch (error) {
          if (ctx.sessionEnded(error)) return;
          showError(root, summary, error);
        }
      }));
      done.addEventListener('click', () => {
        status.textContent = '';
        ctx.call('forget_recovery_codes').catch(() => {});
        load();
      });
      return h('section', { class: 'panel', 'aria-labelledby': 'totp-codes-heading' },
        h('h2', { id: 'totp-codes-heading', tabindex: '-1' }, t('totp.codes_title')),
        h('p', {}, t('totp.codes_text')),
        h('ol', { class: 'recovery-codes', id: 'totp-codes' }, codes.map((c) => h('li', {}, h('code', {}, c)))),
        h('div', { class: 'actions' }, save, print, done));
    }

    /** On: since when, codes left, and turning it off. */
    function onView(state) {
      const submit = h('button', { type: 'submit', class: 'button-secondary', id: 'totp-disable' }, t('totp.disable'));
      const form = h('form', { novalidate: true, id: 'totp-off-form' },
        field({ id: 'totp-off-password', label: t('cred.current'), type: 'password', autocomplete: 'current-password', required: true, toggle: true }),
        field({ id: 'totp-off-code', label: t('totp.code_or_recovery'), hint: t('totp.code_or_recovery_hint'), autocomplete: 'one-time-code', required: true, narrow: true }),
        h('div', { class: 'actions' }, submit));
      async function send() {
        if (!requireFilled(root, summary, ['totp-off-password', 'totp-off-code'])) return;
        await busy(submit, async () => {
          try {
            await ctx.call('disable_second_factor', {
              password: root.querySelector('#totp-off-password').value,
              code: root.querySelector('#totp-off-code').value,
            });
            clearErrors(root, summary);
            status.textContent = t('totp.disabled');
            await load();
          } catch (error) {
            if (ctx.sessionEnded(error)) return;
            showError(root, summary, error, { current_password: 'totp-off-password', code: 'totp-off-code' }, send);
          }
        });
      }
      form.addEventListener('submit', (e) => { e.preventDefault(); send(); });
      return h('section', { class: 'panel', 'aria-labelledby': 'totp-on-heading' },
        h('h2', { id: 'totp-on-heading' }, t('totp.on_title')),
        h('p', { id: 'totp-on-since' }, t('totp.on_since', { time: state.enabled_at ? dateTime(state.enabled_at) : '' })),
        h('p', { id: 'totp-codes-left' }, t('totp.codes_left', { count: state.recovery_codes_left })),
        h('h3', {}, t('totp.off_form_title')),
        form);
    }

    load();
    return root;
  },
};
