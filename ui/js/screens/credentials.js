import { h } from '../dom.js';
import { t } from '../i18n.js';
import { field, errorSummary, showError, requireFilled, busy } from '../forms.js';
import { identity, currentPasswordWhenNeeded, secondFactorField, revealSecondFactor, secondFactorValue } from './common.js';
import { strengthMeter } from './strength.js';

const FIELD_IDS = {
  new_email: 'new-email',
  confirm_email: 'confirm-email',
  new_password: 'new-password',
  confirm_password: 'confirm-password',
  current_password: 'current-password',
  totp_code: 'cred-totp',
};

function checkbox(id, label, controls) {
  const input = h('input', { type: 'checkbox', id, 'aria-controls': controls, 'aria-expanded': 'false' });
  return { input, node: h('div', { class: 'checkbox' }, input, h('label', { for: id }, label)) };
}

export default {
  title: 'cred.title',
  render(ctx, params) {
    const account = ctx.account;
    const expired = Boolean(params.expired);
    const summary = errorSummary();
    const emailBox = checkbox('change-email', t('cred.change_email', { email: account?.login_email ?? '' }), 'email-fields');
    const passwordBox = checkbox('change-password', t('cred.change_password'), 'password-fields');
    const emailFields = h('div', { id: 'email-fields', class: 'subform', hidden: true },
      field({ id: 'new-email', label: t('cred.new_email'), type: 'email', hint: t('cred.email_hint'), autocomplete: 'email' }),
      field({ id: 'confirm-email', label: t('cred.confirm_email'), type: 'email', autocomplete: 'off' }));
    const newPassword = field({ id: 'new-password', label: t('cred.new_password'), type: 'password', autocomplete: 'new-password', toggle: true });
    const passwordFields = h('div', { id: 'password-fields', class: 'subform', hidden: true },
      h('p', { class: 'hint' }, t('cred.note_password')),
      newPassword,
      strengthMeter(ctx, newPassword.querySelector('input'), { emailInput: emailFields.querySelector('#new-email') }),
      field({ id: 'confirm-password', label: t('cred.confirm_password'), type: 'password', autocomplete: 'new-password', toggle: true }));
    const current = field({ id: 'current-password', label: t('cred.current'), type: 'password', hint: t('cred.current_hint'), autocomplete: 'current-password', toggle: true });
    current.hidden = true;
    const code = secondFactorField('cred-totp');

    for (const [box, fields] of [[emailBox, emailFields], [passwordBox, passwordFields]]) {
      box.input.addEventListener('change', () => {
        fields.hidden = !box.input.checked;
        box.input.setAttribute('aria-expanded', String(box.input.checked));
      });
    }
    if (expired) {
      passwordBox.input.checked = true;
      passwordFields.hidden = false;
      emailBox.node.hidden = true;
    }

    const submit = h('button', { type: 'submit', class: 'button-primary', id: 'credentials-submit' }, t('cred.submit'));
    const form = h('form', { novalidate: true },
      h('p', {}, t('cred.intro')),
      emailBox.node, emailFields,
      passwordBox.node, passwordFields,
      current,
      code,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'button-secondary', id: 'credentials-cancel', onclick: () => (expired ? ctx.quit() : ctx.go('services')) }, t('cred.cancel')),
        submit));

    const root = h('div', {},
      h('h1', {}, t('cred.title')),
      expired ? h('p', { class: 'notice', role: 'status' }, t('login.expired')) : null,
      account ? identity(account) : null,
      summary,
      h('div', { class: 'columns' },
        form,
        h('aside', { class: 'panel', 'aria-labelledby': 'advice-heading' },
          h('h2', { id: 'advice-heading' }, t('cred.advice_title')),
          h('ul', {}, [1, 2, 3, 4, 5].map((n) => h('li', {}, t(`cred.advice_${n}`)))),
          h('p', {}, t('cred.advice_6')),
          h('p', {}, t('cred.advice_7')))));

    const value = (id) => root.querySelector(`#${id}`).value;

    async function send() {
      const wantsEmail = emailBox.input.checked;
      const wantsPassword = passwordBox.input.checked;
      if (!wantsEmail && !wantsPassword) {
        showError(root, summary, { code: 'nothing', message: t('cred.nothing') });
        return;
      }
      const required = [
        ...(wantsEmail ? ['new-email', 'confirm-email'] : []),
        ...(wantsPassword ? ['new-password', 'confirm-password'] : []),
        ...(current.hidden ? [] : ['current-password']),
      ];
      if (!requireFilled(root, summary, required)) return;
      await busy(submit, async () => {
        const currentPassword = current.hidden ? null : value('current-password');
        try {
          if (wantsEmail) {
            const result = await ctx.call('request_email_change', {
              newEmail: value('new-email'),
              confirmEmail: value('confirm-email'),
              newPassword: wantsPassword ? value('new-password') : null,
              confirmPassword: wantsPassword ? value('confirm-password') : null,
              currentPassword,
              totpCode: secondFactorValue(code),
            });
            ctx.go('activationPending', { result });
          } else {
            const result = await ctx.call('change_password', {
              newPassword: value('new-password'),
              confirmPassword: value('confirm-password'),
              currentPassword,
              totpCode: secondFactorValue(code),
            });
            ctx.go('passwordDone', { result });
          }
        } catch (error) {
          if (ctx.sessionEnded(error)) return;
          if (error.code === 'reauthentication_required' || error.code === 'reauthentication_failed') {
            current.hidden = false;
          }
          revealSecondFactor(code, error);
          showError(root, summary, error, FIELD_IDS, send);
        }
      });
    }
    form.addEventListener('submit', (e) => { e.preventDefault(); send(); });
    currentPasswordWhenNeeded(ctx, root, current);
    return root;
  },
};
