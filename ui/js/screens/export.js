// "Télécharger mes données" (SPEC §4): everything the service keeps about the account, saved
// as a JSON file where the person picks; the password again first when it was entered too long
// ago (the file holds the security answer).

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { errorSummary, showError, busy } from '../forms.js';
import { backButton, passwordGate } from './common.js';

export default {
  title: 'export.title',
  render(ctx) {
    const summary = errorSummary();
    const status = h('p', { id: 'export-status', role: 'status', 'aria-live': 'polite' });
    const gate = h('div', {});
    const save = h('button', { type: 'button', class: 'button-primary', id: 'export-save' }, t('export.save'));
    const root = h('div', {},
      h('h1', {}, t('export.title')),
      h('p', {}, t('export.intro')),
      h('p', {}, t('export.private')),
      summary,
      gate,
      h('div', { class: 'actions' }, save, backButton(ctx)),
      status);

    async function run() {
      await busy(save, async () => {
        try {
          const path = await ctx.call('save_export');
          gate.replaceChildren();
          status.textContent = path ? t('export.saved', { path }) : t('export.cancelled');
        } catch (error) {
          if (ctx.sessionEnded(error)) return;
          if (error.code === 'reauthentication_required') {
            gate.replaceChildren(passwordGate(ctx, run, 'export.why'));
            gate.querySelector('input')?.focus();
            return;
          }
          showError(root, summary, error, {}, run);
        }
      });
    }
    save.addEventListener('click', run);
    return root;
  },
};
