import { h } from '../dom.js';
import { t, policy } from '../i18n.js';
import { field, errorSummary, showError, busy, announce } from '../forms.js';
import { loading, backButton, currentPasswordWhenNeeded, secondFactorField, revealSecondFactor, secondFactorValue } from './common.js';
import { summaryActions } from './summary.js';

const FIELD_IDS = {
  phone: 'coord-phone',
  address: 'coord-address',
  security_question: 'coord-question',
  security_answer: 'coord-answer',
  current_password: 'coord-current',
  totp_code: 'coord-totp',
};

export default {
  title: 'coord.title',
  render(ctx) {
    return h('div', {},
      h('h1', {}, t('coord.title')),
      // The guide §4.1 goes from "Gérer vos coordonnées" to the address and password: so does
      // this screen.
      h('p', {}, h('button', { type: 'button', class: 'link-button', id: 'coord-credentials', onclick: () => ctx.go('credentials') }, t('services.credentials'))),
      loading(ctx, () => ctx.call('profile'), (profile) => {
        const summary = errorSummary();
        const current = field({ id: 'coord-current', label: t('cred.current'), type: 'password', hint: t('cred.current_hint'), autocomplete: 'current-password', toggle: true });
        current.hidden = true;
        const code = secondFactorField('coord-totp');
        const submit = h('button', { type: 'submit', class: 'button-primary', id: 'coord-save' }, t('coord.save'));
        const status = h('p', { role: 'status', id: 'coord-status' });
        const form = h('form', { novalidate: true },
          field({ id: 'coord-phone', label: t('coord.phone'), type: 'tel', autocomplete: 'tel', value: profile.phone, maxlength: policy().phone_max }),
          field({ id: 'coord-address', label: t('coord.address'), hint: t('coord.address_hint'), autocomplete: 'street-address', value: profile.address }),
          field({ id: 'coord-question', label: t('coord.question'), value: profile.security_question }),
          field({ id: 'coord-answer', label: t('coord.answer'), hint: t('coord.answer_hint'), type: 'password', value: profile.security_answer, toggle: true }),
          current,
          code,
          h('div', { class: 'actions' }, backButton(ctx, 'services', t('cred.cancel')), submit),
          status);
        const root = h('div', {}, summary, form,
          h('section', { 'aria-labelledby': 'summary-heading' },
            h('h2', { id: 'summary-heading' }, t('coord.summary_title')),
            h('p', {}, t('coord.summary_text')),
            summaryActions(ctx)));
        const value = (id) => root.querySelector(`#${id}`).value;
        async function send() {
          await busy(submit, async () => {
            try {
              await ctx.call('update_profile', {
                phone: value('coord-phone'),
                address: value('coord-address'),
                securityQuestion: value('coord-question'),
                securityAnswer: value('coord-answer'),
                currentPassword: current.hidden ? null : value('coord-current'),
                totpCode: secondFactorValue(code),
              });
              summary.hidden = true;
              revealSecondFactor(code, null);
              status.textContent = t('coord.saved');
              announce(t('coord.saved'));
            } catch (error) {
              if (ctx.sessionEnded(error)) return;
              if (error.code === 'reauthentication_required' || error.code === 'reauthentication_failed') current.hidden = false;
              revealSecondFactor(code, error);
              showError(root, summary, error, FIELD_IDS, send);
            }
          });
        }
        form.addEventListener('submit', (e) => { e.preventDefault(); send(); });
        currentPasswordWhenNeeded(ctx, root, current);
        return root;
      }));
  },
};
