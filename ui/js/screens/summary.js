// "Sauvegardez ou imprimez le récapitulatif": the PDF is made in Rust, saved where the user
// picks, or opened in the system viewer to print.

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { announce, busy, topMessage } from '../forms.js';
import { passwordGate } from './common.js';

export function summaryActions(ctx) {
  const status = h('p', { id: 'summary-status', role: 'status' });
  const save = h('button', { type: 'button', class: 'button-primary', id: 'summary-save' }, t('act.save'));
  const print = h('button', { type: 'button', class: 'button-secondary', id: 'summary-print' }, t('act.print'));
  const gate = h('div', { id: 'summary-reauth' });
  const report = (text) => { status.textContent = text; announce(text); };
  // The summary holds the security answer: after a few minutes the service asks for the
  // password again, and the action goes on once it is given.
  const attempt = (button, action) => busy(button, async () => {
    try {
      await action();
      gate.replaceChildren();
    } catch (error) {
      if (ctx.sessionEnded(error)) return;
      if (error.code === 'reauthentication_required') {
        gate.replaceChildren(passwordGate(ctx, () => { gate.replaceChildren(); attempt(button, action); }));
        gate.querySelector('input')?.focus();
        return;
      }
      report(topMessage(error));
    }
  });
  const saveSummary = async () => {
    const path = await ctx.call('save_summary');
    if (path) report(t('app.saved_to', { path }));
  };
  const printSummary = async () => {
    await ctx.call('print_summary');
    report(t('app.opened'));
  };
  save.addEventListener('click', () => attempt(save, saveSummary));
  print.addEventListener('click', () => attempt(print, printSummary));
  return h('div', {}, h('div', { class: 'actions' }, save, print), gate, status);
}
