import { h } from '../dom.js';
import { t } from '../i18n.js';
import { backButton } from './common.js';

function unavailable(key) {
  return h('li', { class: 'unavailable' }, `${t(key)} (${t('app.not_available')})`);
}

function available(ctx, key, screen, id) {
  return h('li', {}, h('button', { type: 'button', class: 'link-button', id, onclick: () => ctx.go(screen) }, t(key)));
}

export default {
  title: 'services.title',
  render(ctx) {
    const section = (id, key, items) => h('section', { 'aria-labelledby': id }, h('h2', { id }, t(key)), h('ul', { class: 'service-list' }, items));
    return h('div', {},
      h('h1', {}, t('services.title')),
      section('s-online', 'services.online', [unavailable('services.join'), unavailable('services.substitutions'), unavailable('services.rights')]),
      section('s-personal', 'services.personal', [
        available(ctx, 'services.coordinates', 'coordinates', 'services-coordinates'),
        available(ctx, 'services.credentials', 'credentials', 'services-credentials'),
        unavailable('services.delete'),
      ]),
      section('s-access', 'services.access', [unavailable('services.deputies'), unavailable('services.delegations')]),
      section('s-files', 'services.files', [unavailable('services.bank'), unavailable('services.company_email')]),
      h('div', { class: 'actions' }, backButton(ctx)));
  },
};
