import { h } from '../dom.js';
import { t, dateTime, lang } from '../i18n.js';
import { loading, backButton } from './common.js';

export default {
  title: 'activity.title',
  render(ctx) {
    return h('div', {},
      h('h1', {}, t('activity.title')),
      loading(ctx, () => ctx.call('activity'), (activity) =>
        activity.events.length === 0
          ? h('p', {}, t('activity.none'))
          : h('table', {},
            h('caption', { class: 'visually-hidden' }, t('activity.title')),
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('activity.when')), h('th', { scope: 'col' }, t('activity.what')), h('th', { scope: 'col' }, t('activity.where')))),
            h('tbody', {}, activity.events.map((e) => h('tr', {}, h('td', {}, dateTime(e.at)), h('td', {}, lang() === 'en' && e.label_en ? e.label_en : e.label), h('td', {}, e.client_ip || '—')))))),
      h('div', { class: 'actions' }, backButton(ctx)));
  },
};
