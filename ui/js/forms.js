// GOV.UK-style form parts: a visible label for every control, hints, an error summary at the top
// linking to each field, the message beside the field, announcements for screen readers.

import { h, clear } from './dom.js';
import { t, has } from './i18n.js';

/** A labelled input. `toggle: true` adds the "Afficher" button of password fields. */
export function field({ id, label, type = 'text', hint, required = false, autocomplete, value, toggle = false, inputmode, maxlength, narrow = false }) {
  const describedBy = [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(' ');
  const input = h('input', {
    id,
    name: id,
    type,
    autocomplete: autocomplete || 'off',
    'aria-describedby': describedBy,
    required,
    'aria-required': required ? 'true' : false,
    inputmode,
    maxlength,
    spellcheck: 'false',
    class: narrow ? 'narrow' : false,
  });
  if (value !== undefined && value !== null) input.value = value;
  const control = toggle ? h('div', { class: 'with-toggle' }, input, showToggle(input, label)) : input;
  return h(
    'div',
    { class: 'field', id: `${id}-field` },
    h('label', { for: id }, label),
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    // Always there and empty until an error fills it: a live region that appears with its text
    // is often not announced.
    h('p', { class: 'error-message', id: `${id}-error`, 'aria-live': 'polite' }),
    control,
  );
}

/** "Afficher" / "Masquer": paste and password managers keep working, the user can check. Its
 * name says which field it shows, by that field's label (a screen reader hears "Afficher en
 * clair : Nouveau mot de passe", and "… : Réponse" for the security answer), and stays the same
 * while `aria-pressed` says whether the field is shown. */
export function showToggle(input, label) {
  const button = h('button', {
    type: 'button',
    class: 'button-secondary',
    'aria-controls': input.id,
    'aria-pressed': 'false',
    'aria-label': t('app.show_field', { field: label }),
  }, t('app.show'));
  button.addEventListener('click', () => {
    const shown = input.type === 'text';
    input.type = shown ? 'password' : 'text';
    button.setAttribute('aria-pressed', String(!shown));
    button.textContent = shown ? t('app.show') : t('app.hide');
  });
  return button;
}

let summaries = 0;

/** The error summary: an alert named by its heading ("Il y a un problème"), which takes the
 * focus when shown. */
export function errorSummary() {
  summaries += 1;
  const id = `error-summary-title-${summaries}`;
  return h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', 'aria-labelledby': id, hidden: true },
    h('h2', { id }, t('app.error_title')),
    h('ul', {}));
}

// The kind of each field the service names, for the messages every field of a kind shares.
const FIELD_KINDS = {
  email: 'email', new_email: 'email', confirm_email: 'email',
  new_password: 'password', confirm_password: 'password', current_password: 'password', password: 'password',
};

/** The message beside a field for one of its rule codes: that field's own, its kind's, or
 * what any field may say; never another field's. */
export function fieldMessage(fieldName, code) {
  const kind = FIELD_KINDS[fieldName];
  for (const key of [`err.${fieldName}.${code}`, kind && `err.${kind}.${code}`, `err.${code}`]) {
    if (key && has(key)) return t(key);
  }
  return t('err.invalid');
}

/** The top message: the app's own errors from its texts; the service's as it wrote them (in the
 * language the app asked for). */
export function topMessage(error) {
  if (has(`apperr.${error.code}`)) return t(`apperr.${error.code}`);
  return error.message || t('err.invalid');
}

export function clearErrors(root, summary) {
  summary.hidden = true;
  clear(summary.querySelector('ul'));
  for (const f of root.querySelectorAll('.field.has-error')) f.classList.remove('has-error');
  for (const m of root.querySelectorAll('.error-message')) m.textContent = '';
  for (const i of root.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
}

/**
 * Shows an error: in the summary (focused, announced), and beside each field it names.
 * `fieldIds` maps the service's field names to input ids. `retry` adds "Réessayer" when the
 * service could not be reached; the form keeps what was typed.
 */
export function showError(root, summary, error, fieldIds = {}, retry = null) {
  clearErrors(root, summary);
  const list = summary.querySelector('ul');
  const items = [];
  const fields = error.fields || {};
  for (const [name, codes] of Object.entries(fields)) {
    const id = fieldIds[name];
    const input = id && root.querySelector(`#${id}`);
    if (!input) continue;
    const messages = codes.map((c) => fieldMessage(name, c));
    const slot = root.querySelector(`#${id}-error`);
    slot.textContent = messages.join(' ');
    input.setAttribute('aria-invalid', 'true');
    root.querySelector(`#${id}-field`)?.classList.add('has-error');
    for (const m of messages) items.push(h('li', {}, h('a', { href: `#${id}`, onclick: (e) => { e.preventDefault(); input.focus(); } }, m)));
  }
  items.unshift(h('li', {}, topMessage(error)));
  list.append(...items);
  if (retry && (error.code === 'network' || error.code === 'unavailable')) {
    list.append(h('li', {}, h('button', { type: 'button', class: 'button-secondary', onclick: retry }, t('app.retry'))));
  }
  summary.hidden = false;
  summary.focus();
}

/** Checks that the listed inputs are filled; shows the errors and answers false if not. */
export function requireFilled(root, summary, ids) {
  const fields = {};
  for (const id of ids) {
    const input = root.querySelector(`#${id}`);
    if (input && !input.value.trim()) fields[id] = ['required'];
  }
  if (Object.keys(fields).length === 0) return true;
  const map = Object.fromEntries(Object.keys(fields).map((k) => [k, k]));
  showError(root, summary, { code: 'required', message: t('err.required'), fields }, map);
  return false;
}

/** Runs `work` with the button busy (disabled, "Patientez…", aria-busy on the screen). */
export async function busy(button, work) {
  const label = button.textContent;
  const main = document.getElementById('screen');
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.textContent = t('app.busy');
  main?.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = label;
    main?.removeAttribute('aria-busy');
  }
}

export function announce(text) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  // A new text node after a tick is announced even when the text repeats.
  setTimeout(() => { region.textContent = text; }, 50);
}
