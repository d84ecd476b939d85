// "Paramètres": the service in use (address, name, version, whether it answers, where the choice
// comes from), another service checked then used, the organisation's default, or demo mode.

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { field, errorSummary, showError, requireFilled, busy, announce, clearErrors } from '../forms.js';
import { backButton } from './common.js';
import { checkUpdate } from '../updates.js';

export default {
  title: 'settings.title',
  render(ctx) {
    const info = ctx.info || {};
    const service = info.service;
    const summary = errorSummary();
    const status = h('p', { id: 'settings-status', role: 'status' });
    const current = h('section', { 'aria-labelledby': 'settings-current-heading', id: 'settings-current' },
      h('h2', { id: 'settings-current-heading' }, t('settings.current')),
      h('p', { id: 'settings-url' }, t('settings.url', { url: info.service_url || '—' })),
      service ? h('p', {}, t('settings.name', { name: service.name, version: service.version || '—' })) : null,
      h('p', { id: 'settings-reachable' }, t(service ? 'settings.reachable'
        : ctx.serviceProblem === 'untrusted_certificate' ? 'settings.untrusted' : 'settings.unreachable')),
      h('p', { id: 'settings-source' }, t(`settings.source.${info.source || 'demo'}`)),
      info.source === 'flag' || info.source === 'variable' ? h('p', { class: 'notice' }, t('settings.override')) : null);

    const url = field({ id: 'settings-new-url', label: t('settings.new_url'), hint: t('settings.new_url_hint'), type: 'url', autocomplete: 'url', required: true });
    const check = h('button', { type: 'button', class: 'button-secondary', id: 'settings-check' }, t('settings.check'));
    const submit = h('button', { type: 'submit', class: 'button-primary', id: 'settings-use' }, t('settings.save'));
    const form = h('form', { novalidate: true, 'aria-labelledby': 'settings-other-heading' },
      h('h2', { id: 'settings-other-heading' }, t('settings.other')),
      url,
      h('div', { class: 'actions' }, submit, check));
    const packaged = h('button', { type: 'button', class: 'button-secondary', id: 'settings-packaged' },
      info.packaged_url ? t('settings.packaged', { url: info.packaged_url }) : t('settings.no_packaged'));
    const demo = h('button', { type: 'button', class: 'button-secondary', id: 'settings-demo' }, t('settings.demo'));
    const atStart = h('input', { type: 'checkbox', id: 'settings-updates' });
    const lookNow = h('button', { type: 'button', class: 'button-secondary', id: 'settings-check-updates' }, t('settings.updates_now'));
    const updates = h('section', { 'aria-labelledby': 'settings-updates-heading' },
      h('h2', { id: 'settings-updates-heading' }, t('settings.updates')),
      h('div', { class: 'checkbox' }, atStart, h('label', { for: 'settings-updates' }, t('settings.updates_at_start'))),
      h('div', { class: 'actions' }, lookNow));
    ctx.call('update_check_enabled').then((on) => { atStart.checked = on; }).catch(() => {});
    atStart.addEventListener('change', async () => {
      try {
        await ctx.call('set_update_check', { enabled: atStart.checked });
        status.textContent = t(atStart.checked ? 'settings.updates_saved_on' : 'settings.updates_saved_off');
      } catch (error) {
        showError(root, summary, error);
      }
    });
    lookNow.addEventListener('click', () => busy(lookNow, async () => {
      try {
        const found = await checkUpdate({ quiet: false });
        clearErrors(root, summary);
        status.textContent = found ? t('update.announce', { version: found.version }) : t('update.up_to_date', { version: info.version || '—' });
      } catch (error) {
        showError(root, summary, error);
      }
    }));
    // This computer's name in the account's list of sessions ("Appareils connectés").
    const deviceName = field({ id: 'settings-device-name', label: t('settings.device_name'), hint: t('settings.device_name_hint'), autocomplete: 'off' });
    const saveName = h('button', { type: 'submit', class: 'button-secondary', id: 'settings-device-save' }, t('settings.device_save'));
    const nameForm = h('form', { novalidate: true, 'aria-labelledby': 'settings-device-heading', id: 'settings-device' },
      h('h2', { id: 'settings-device-heading' }, t('settings.device')),
      deviceName,
      h('div', { class: 'actions' }, saveName));
    const nameInput = deviceName.querySelector('input');
    ctx.call('device_name').then((name) => { nameInput.value = name; }).catch(() => {});
    nameForm.addEventListener('submit', (e) => {
      e.preventDefault();
      busy(saveName, async () => {
        try {
          nameInput.value = await ctx.call('set_device_name', { name: nameInput.value });
          clearErrors(root, summary);
          status.textContent = t('settings.device_saved', { name: nameInput.value });
        } catch (error) {
          showError(root, summary, { ...error, fields: { device_name: [error.code] } }, { device_name: 'settings-device-name' });
        }
      });
    });
    const root = h('div', {},
      h('h1', {}, t('settings.title')),
      summary,
      current,
      form,
      nameForm,
      h('section', { 'aria-labelledby': 'settings-default-heading' },
        h('h2', { id: 'settings-default-heading' }, t('settings.default')),
        h('div', { class: 'actions' }, packaged, demo)),
      updates,
      status,
      h('div', { class: 'actions' }, backButton(ctx, 'login', t('app.back'))));

    const typed = () => root.querySelector('#settings-new-url').value.trim();
    const fields = { url: 'settings-new-url' };

    async function switched(next) {
      ctx.switched(next, { messageKey: 'settings.switched', messageVars: { url: next.service_url } });
    }

    check.addEventListener('click', () => {
      if (!requireFilled(root, summary, ['settings-new-url'])) return;
      busy(check, async () => {
        try {
          const answer = await ctx.call('check_service', { url: typed() });
          clearErrors(root, summary);
          status.textContent = t('settings.checked', { name: answer.name, version: answer.version || '—' });
          announce(status.textContent);
        } catch (error) {
          status.textContent = '';
          showError(root, summary, { ...error, fields: { url: [error.code] } }, fields);
        }
      });
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!requireFilled(root, summary, ['settings-new-url'])) return;
      busy(submit, async () => {
        try {
          await switched(await ctx.call('use_service', { url: typed() }));
        } catch (error) {
          showError(root, summary, { ...error, fields: { url: [error.code] } }, fields);
        }
      });
    });
    packaged.addEventListener('click', () => busy(packaged, async () => {
      try {
        await switched(await ctx.call('use_packaged_service'));
      } catch (error) {
        showError(root, summary, error);
      }
    }));
    demo.addEventListener('click', () => busy(demo, async () => {
      try {
        await switched(await ctx.call('use_demo'));
      } catch (error) {
        showError(root, summary, error);
      }
    }));
    return root;
  },
};
