// The Procedure tab: the SOP's names, which ticket labels it applies to, its start step and policy values.
import { $, h } from './dom.js';
import { bilingual, t } from './i18n.js';
import { state } from './state.js';
import { IDENT, isObj } from './util.js';
import { changed } from './editor.js';
import { field, selectInput, textInput } from './fields.js';
import { renderSopList } from './sops.js';
import { markFieldErrors } from './validation.js';

export function renderDocForm() {
  const form = $('doc-form');
  const doc = state.draft;
  state.fieldErrors.delete('doc:policy');
  if (!isObj(doc)) {
    form.replaceChildren();
    return;
  }
  const setText = (lang, v) => {
    doc.name = isObj(doc.name) ? doc.name : { zh: '', en: '' };
    doc.name[lang] = v;
    changed();
    renderSopList();
  };
  const policy = isObj(doc.policy) ? doc.policy : {};
  const policyRows = Object.entries(policy).map(([k, v]) =>
    h(
      'div',
      { class: 'policy-row', 'data-testid': `policy-${k}` },
      h('code', { class: 'policy-key' }, k),
      typeof v === 'boolean'
        ? h('input', { type: 'checkbox', checked: v, 'data-path': `policy.${k}`, onchange: (e) => { doc.policy[k] = e.target.checked; changed({ diagram: false }); } })
        : h('input', {
            type: typeof v === 'number' ? 'number' : 'text', value: String(v), 'data-path': `policy.${k}`, 'data-testid': `field-policy-${k}`,
            oninput: (e) => { doc.policy[k] = typeof v === 'number' && e.target.value !== '' ? Number(e.target.value) : e.target.value; changed({ diagram: false }); },
          }),
      h('button', { type: 'button', class: 'btn btn-tiny btn-danger', title: '✕', onclick: () => { delete doc.policy[k]; if (!Object.keys(doc.policy).length) delete doc.policy; changed({ diagram: false }); renderDocForm(); } }, '✕'),
    ),
  );
  const newKey = h('input', { type: 'text', placeholder: t('policyName'), class: 'mono', 'data-testid': 'new-policy-key' });
  const newValue = h('input', { type: 'text', placeholder: t('policyValue'), 'data-testid': 'new-policy-value' });
  const addPolicy = () => {
    const k = newKey.value.trim();
    if (!IDENT.test(k)) return;
    const raw = newValue.value.trim();
    const value = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
    doc.policy = { ...(isObj(doc.policy) ? doc.policy : {}), [k]: value };
    changed({ diagram: false });
    renderDocForm();
  };
  const ids = Object.keys(doc.steps ?? {});
  form.replaceChildren(
    field('docType', h('input', { type: 'text', value: doc.type ?? '', readonly: true, class: 'mono', 'data-testid': 'doc-type' }), { path: 'type' }),
    h(
      'div',
      { class: 'row two' },
      field('docNameZh', textInput(doc.name?.zh, (v) => setText('zh', v), { 'data-testid': 'doc-name-zh' }), { path: 'name.zh' }),
      field('docNameEn', textInput(doc.name?.en, (v) => setText('en', v), { 'data-testid': 'doc-name-en' }), { path: 'name.en' }),
    ),
    field('appliesTo', textInput((Array.isArray(doc.appliesTo) ? doc.appliesTo : []).join(', '), (v) => {
      doc.appliesTo = v.split(/[,,\s]+/).map((s) => s.trim()).filter(Boolean);
      changed({ diagram: false });
    }, { 'data-testid': 'doc-applies-to', class: 'mono' }), { path: 'appliesTo', hint: t('appliesToHint') }),
    field('startStep', selectInput(doc.start ?? '', ids, (v) => { doc.start = v; changed({ form: true }); }, { 'data-testid': 'doc-start' }), { path: 'start' }),
    h('fieldset', {}, h('legend', {}, bilingual('policy')), h('div', { class: 'hint' }, t('policyHint')), ...policyRows,
      h('div', { class: 'policy-row add' }, newKey, newValue, h('button', { type: 'button', class: 'btn btn-small', onclick: addPolicy, 'data-testid': 'add-policy' }, t('addPolicy')))),
  );
  markFieldErrors();
}
