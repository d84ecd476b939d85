// "Sauvegardez ou imprimez le récapitulatif": the PDF is made in Rust, saved where the user
// picks, or opened in the system viewer to print.

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { announce, busy } from '../forms.js';

export function summaryActions(ctx) {
  const status = h('p', { id: 'summary-status', role: 'status' });
  const save = h('button', { type: 'button', class: 'button-primary', id: 'summary-save' }, t('act.save'));
  const print = h('button', { type: 'button', class: 'button-secondary', id: 'summary-print' }, t('act.print'));
  const report = (text) => { status.textContent = text; announce(text); };
  save.addEventListener('click', () => busy(save, async () => {
    try {
      const path = await ctx.call('save_summary');
      if (path) report(t('app.saved_to', { path }));
    } catch (error) {
      if (!ctx.sessionEnded(error)) report(error.message);
    }
  }));
  print.addEventListener('click', () => busy(print, async () => {
    try {
      await ctx.call('print_summary');
      report(t('app.opened'));
    } catch (error) {
      if (!ctx.sessionEnded(error)) report(error.message);
    }
  }));
  return h('div', {}, h('div', { class: 'actions' }, save, print), status);
}
