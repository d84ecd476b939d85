// The live "Niveau de sécurité" meter with the rules checklist; updated on every keystroke by
// the Rust estimator (bounded in time), announced politely.

import { h } from '../dom.js';
import { t, lang } from '../i18n.js';

const RULES = ['too_short', 'missing_letter', 'missing_digit', 'contains_whitespace'];

export function strengthMeter(ctx, input, { emailInput = null } = {}) {
  const level = h('p', { id: `${input.id}-level`, class: 'strength-level', 'aria-live': 'polite' }, t('cred.level', { level: lang() === 'fr' ? 'Très faible' : 'Very weak' }));
  const bar = h('div', { class: 'strength-bar', 'aria-hidden': 'true' }, h('span'), h('span'), h('span'), h('span'), h('span'));
  const items = Object.fromEntries([...RULES, 'strong'].map((r) => [r, h('li', { 'data-rule': r }, t(`rule.${r}`))]));
  const advice = h('p', { class: 'advice', id: `${input.id}-advice` });
  const meter = h('div', { class: 'strength level-0', id: `${input.id}-strength` },
    h('p', { class: 'label', id: `${input.id}-strength-label` }, t('cred.strength')),
    bar, level,
    h('ul', { class: 'rules', 'aria-label': t('cred.strength') }, Object.values(items)),
    advice);
  input.setAttribute('aria-describedby', `${input.getAttribute('aria-describedby') || ''} ${input.id}-level`.trim());

  let sequence = 0;
  async function update() {
    const mine = ++sequence;
    let s;
    try {
      s = await ctx.call('password_strength', { password: input.value, email: emailInput?.value || null });
    } catch {
      return;
    }
    if (mine !== sequence) return; // a later keystroke already answered
    meter.className = `strength level-${s.score}`;
    level.textContent = t('cred.level', { level: lang() === 'fr' ? s.level_fr : s.level_en });
    for (const rule of s.rules) {
      if (items[rule.rule]) items[rule.rule].classList.toggle('met', rule.met);
    }
    items.strong.classList.toggle('met', s.strong_enough);
    advice.textContent = (lang() === 'fr' ? [s.warning_fr, ...s.suggestions_fr] : [s.warning_en, ...s.suggestions_en]).filter(Boolean).join(' ');
  }
  input.addEventListener('input', update);
  update();
  return meter;
}
