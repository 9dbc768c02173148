// What the draft changes against the published version: the computation (also used by the header, the
// diagram marks and the publish summary) and the Diff tab, with its "discard changes" button.
import { $, h } from './dom.js';
import { bilingual, localized, t } from './i18n.js';
import { draftKey, state } from './state.js';
import { clip, isObj, stable } from './util.js';
import { selectStep } from './editor.js';
import { openSop } from './sops.js';

/** leaves of a step or document: expressions (when, input and data values) stay whole */
function flatten(value, prefix, out, keyName = '') {
  const whole = keyName === 'when' || /(^|\.)(input|data)\.[^.]+$/.test(prefix);
  if (!whole && isObj(value) && Object.keys(value).length) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out, k);
  } else if (!whole && Array.isArray(value) && value.length && value.some((x) => isObj(x) || Array.isArray(x))) {
    value.forEach((v, i) => flatten(v, `${prefix}.${i}`, out, String(i)));
  } else {
    out.set(prefix, value);
  }
  return out;
}
const show = (v) => (v === undefined ? '∅' : typeof v === 'string' ? v : JSON.stringify(v));

export function diffDocs(base, draft) {
  const result = { doc: [], added: [], removed: [], changed: [], count: 0 };
  if (!isObj(base) || !isObj(draft)) return result;
  const fieldDiff = (a, b) => {
    const fa = flatten(a, '', new Map());
    const fb = flatten(b, '', new Map());
    const fields = [];
    for (const k of new Set([...fa.keys(), ...fb.keys()])) {
      if (stable(fa.get(k)) !== stable(fb.get(k))) fields.push({ path: k, before: fa.get(k), after: fb.get(k) });
    }
    return fields;
  };
  const { steps: _sa, version: _va, ...docA } = base;
  const { steps: _sb, version: _vb, ...docB } = draft;
  result.doc = fieldDiff(docA, docB);
  const sa = isObj(base.steps) ? base.steps : {};
  const sb = isObj(draft.steps) ? draft.steps : {};
  for (const id of Object.keys(sb)) if (!(id in sa)) result.added.push(id);
  for (const id of Object.keys(sa)) if (!(id in sb)) result.removed.push(id);
  for (const id of Object.keys(sb)) {
    if (!(id in sa) || stable(sa[id]) === stable(sb[id])) continue;
    result.changed.push({ id, fields: fieldDiff(sa[id], sb[id]) });
  }
  result.count = result.doc.length + result.added.length + result.removed.length + result.changed.length;
  return result;
}

export function renderDiff() {
  const count = $('diff-count');
  if (!state.draft || !state.published) {
    count.textContent = '';
    return;
  }
  const d = diffDocs(state.published, state.draft);
  count.textContent = d.count ? String(d.count) : '';
  count.dataset.count = String(d.count);
  if (state.tab !== 'diff') return;
  $('diff-base').textContent = t('diffBase', { v: state.publishedVersion });
  const list = $('diff-list');
  const fieldRows = (fields) =>
    h('ul', { class: 'diff-fields' }, ...fields.map((f) =>
      h('li', { 'data-testid': 'diff-field', dataset: { path: f.path } },
        h('code', { class: 'diff-path' }, f.path), ' ',
        h('span', { class: 'diff-before' }, clip(show(f.before), 80)), ' → ',
        h('span', { class: 'diff-after' }, clip(show(f.after), 80)))));
  const stepName = (doc, id) => localized(doc.steps?.[id]?.name);
  const sections = [];
  if (d.doc.length) sections.push(h('section', { 'data-testid': 'diff-doc' }, h('h3', {}, bilingual('diffDoc')), fieldRows(d.doc)));
  if (d.added.length) sections.push(h('section', {}, h('h3', { class: 'diff-added-h' }, bilingual('diffAdded')), h('ul', {}, ...d.added.map((id) =>
    h('li', { class: 'diff-step added', 'data-testid': `diff-added-${id}`, onclick: () => selectStep(id, { scroll: true }) }, h('b', {}, '+ ', id), ' ', stepName(state.draft, id))))));
  if (d.removed.length) sections.push(h('section', {}, h('h3', { class: 'diff-removed-h' }, bilingual('diffRemoved')), h('ul', {}, ...d.removed.map((id) =>
    h('li', { class: 'diff-step removed', 'data-testid': `diff-removed-${id}` }, h('b', {}, '− ', id), ' ', stepName(state.published, id))))));
  if (d.changed.length) sections.push(h('section', {}, h('h3', { class: 'diff-changed-h' }, bilingual('diffChanged')), h('ul', {}, ...d.changed.map((c) =>
    h('li', { class: 'diff-step changed', 'data-testid': `diff-changed-${c.id}` },
      h('div', { class: 'diff-step-head', onclick: () => selectStep(c.id, { scroll: true }) }, h('b', {}, '~ ', c.id), ' ', stepName(state.draft, c.id)),
      fieldRows(c.fields))))));
  list.replaceChildren(...(sections.length ? sections : [h('p', { class: 'muted', 'data-testid': 'diff-empty' }, t('noDiff'))]));
  $('discard-button').hidden = d.count === 0;
}

export function setupDiscard() {
  $('discard-button').addEventListener('click', () => {
    if (!window.confirm(t('confirmDiscard'))) return;
    localStorage.removeItem(draftKey(state.type));
    state.hasLocalEdits = false;
    openSop(state.type, { restore: false });
  });
}
