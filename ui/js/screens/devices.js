// "Appareils connectés" (SPEC §4): every open session of the account (device, address, since,
// last seen), "Déconnecter" for each other one, and "Déconnecter les autres appareils".

import { h } from '../dom.js';
import { t, dateTime } from '../i18n.js';
import { errorSummary, showError, busy } from '../forms.js';
import { loading, backButton } from './common.js';

function deviceName(s) {
  return s.device_name || t('devices.unnamed');
}

export default {
  title: 'devices.title',
  render(ctx) {
    const summary = errorSummary();
    const status = h('p', { id: 'devices-status', role: 'status', 'aria-live': 'polite' });
    const root = h('div', {},
      h('h1', {}, t('devices.title')),
      h('p', {}, t('devices.intro')),
      summary,
      status);
    const list = h('div', {});
    root.append(list, h('div', { class: 'actions' }, backButton(ctx)));

    // Ends `what` (one session's id, or every other one), then shows the list again.
    async function end(button, what) {
      await busy(button, async () => {
        try {
          if (what === 'others') {
            await ctx.call('end_other_sessions');
            status.textContent = t('devices.others_ended');
          } else {
            await ctx.call('end_session', { id: what.id });
            status.textContent = t('devices.ended', { name: deviceName(what) });
          }
          show();
        } catch (error) {
          if (ctx.sessionEnded(error)) return;
          showError(root, summary, error, {}, () => end(button, what));
        }
      });
    }

    function table(sessions) {
      const others = sessions.filter((s) => !s.current);
      const rows = sessions.map((s) => {
        const name = deviceName(s);
        const action = s.current
          ? h('span', { class: 'badge' }, t('devices.this_one'))
          : h('button', {
            type: 'button', class: 'button-secondary',
            'aria-label': t('devices.end_named', { name }),
          }, t('devices.end'));
        if (!s.current) action.addEventListener('click', () => end(action, s));
        return h('tr', {},
          h('th', { scope: 'row' }, name),
          h('td', {}, s.client_ip || '—'),
          h('td', {}, dateTime(s.created_at)),
          h('td', {}, dateTime(s.last_seen_at)),
          h('td', {}, action));
      });
      const endOthers = h('button', { type: 'button', class: 'button-primary', id: 'devices-end-others' }, t('devices.end_others'));
      endOthers.addEventListener('click', () => end(endOthers, 'others'));
      return h('div', {},
        h('table', {},
          h('caption', { class: 'visually-hidden' }, t('devices.title')),
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col' }, t('devices.device')),
            h('th', { scope: 'col' }, t('activity.where')),
            h('th', { scope: 'col' }, t('devices.since')),
            h('th', { scope: 'col' }, t('devices.last_seen')),
            h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('devices.action'))))),
          h('tbody', {}, rows)),
        others.length > 0
          ? h('div', { class: 'actions' }, endOthers)
          : h('p', {}, t('devices.only_this_one')));
    }

    function show() {
      list.replaceChildren(loading(ctx, () => ctx.call('sessions'), (open) => table(open.sessions)));
    }
    show();
    return root;
  },
};
