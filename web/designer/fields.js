// Form inputs shared by the step and document forms: labelled fields, text, select, JSON and step-reference inputs.
import { $, h } from './dom.js';
import { bilingual, t } from './i18n.js';
import { state } from './state.js';
import { isObj } from './util.js';
import { updatePublishButton } from './validation.js';

export function field(labelKey, input, { hint, path, wide } = {}) {
  if (path) input.dataset.path = path;
  return h('label', { class: `field${wide ? ' wide' : ''}` }, bilingual(labelKey), input, hint ? h('div', { class: 'hint' }, hint) : '');
}
export function textInput(value, onInput, attrs = {}) {
  return h('input', { type: 'text', value: value ?? '', spellcheck: 'false', ...attrs, oninput: (e) => onInput(e.target.value) });
}
export function textArea(value, onInput, attrs = {}) {
  return h('textarea', { rows: 3, ...attrs, oninput: (e) => onInput(e.target.value) }, value ?? '');
}
export function selectInput(value, options, onChange, attrs = {}) {
  const opts = options.map((o) => (typeof o === 'string' ? { value: o, label: o } : o));
  if (value !== undefined && value !== '' && !opts.some((o) => o.value === value)) opts.unshift({ value, label: `${value} (?)` });
  return h('select', { ...attrs, onchange: (e) => onChange(e.target.value) }, ...opts.map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)));
}
/** a JSON editor: commits only parseable JSON, shows the parse error otherwise */
export function jsonInput(value, onValue, key, attrs = {}) {
  const err = h('div', { class: 'field-error json-error', hidden: true });
  const text = prettyJson(value);
  const lines = text.split('\n').length;
  const ta = h('textarea', { class: 'code', spellcheck: 'false', ...attrs, rows: Math.max(attrs.rows ?? 2, Math.min(lines + 1, 12)) }, text);
  ta.addEventListener('input', () => {
    const text = ta.value.trim();
    try {
      const parsed = text === '' ? undefined : JSON.parse(text);
      err.hidden = true;
      ta.classList.remove('invalid-json');
      state.fieldErrors.delete(key);
      onValue(parsed);
    } catch (e) {
      err.hidden = false;
      err.textContent = t('badJson') + e.message;
      ta.classList.add('invalid-json');
      state.fieldErrors.add(key);
      updatePublishButton();
    }
  });
  return h('div', { class: 'json-wrap' }, ta, err);
}
/** one line per key of an object (inputs, resolution data), each value compact: readable and short */
function prettyJson(value) {
  if (value === undefined) return '';
  const compact = (v) => JSON.stringify(v, null, 1).replace(/\n\s*/g, ' ');
  if (!isObj(value) || !Object.keys(value).length) return compact(value);
  const op = Object.keys(value).length === 1 && /^[^A-Za-z]|^(and|or|var|in|cat|if|some|all|none|missing)$/.test(Object.keys(value)[0]);
  if (op) return compact(value); // a JSON Logic expression, e.g. a branch condition
  return `{\n${Object.entries(value).map(([k, v]) => `  ${JSON.stringify(k)}: ${compact(v)}`).join(',\n')}\n}`;
}
/** a "go to step" field: free text with the step ids as suggestions */
export function stepRef(value, onInput, attrs = {}) {
  return textInput(value, onInput, { list: 'step-ids', class: 'step-ref', placeholder: '—', ...attrs });
}
export const groupsList = () => ['system', 'user', ...state.catalog.skillGroups];
export function ensureDatalist(id, values) {
  let list = $(id);
  if (!list) {
    list = h('datalist', { id });
    document.body.append(list);
  }
  list.replaceChildren(...values.map((v) => h('option', { value: v })));
}
