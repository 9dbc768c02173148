// The edit loop: every change to the draft goes through changed(), which redraws what depends on it;
// the selected step, the tabs, the step picker and "add step".
import { $, h } from './dom.js';
import { STEP_KINDS, kindName, localized, t } from './i18n.js';
import { templateStep } from './model.js';
import { saveDraftLocally, state } from './state.js';
import { IDENT } from './util.js';
import { markDiagram, scheduleDiagram } from './diagram.js';
import { renderDiff } from './diff.js';
import { renderDocForm } from './doc-form.js';
import { renderStepForm } from './forms.js';
import { updateHeader } from './sops.js';
import { scheduleValidate } from './validation.js';
import { clearYamlError, syncYaml } from './yaml.js';

export function changed({ form = false, yaml = true, diagram = true, local = true } = {}) {
  if (local) state.hasLocalEdits = true;
  if (diagram) scheduleDiagram();
  scheduleValidate();
  if (yaml) {
    clearYamlError();
    syncYaml();
  }
  renderDiff();
  renderStepPicker();
  if (form) renderForms();
  saveDraftLocally();
  updateHeader();
}

export function selectStep(id, { scroll = false } = {}) {
  if (id !== state.selected) $('panel-step').scrollTop = 0;
  state.selected = id;
  if (state.tab !== 'step') showTab('step');
  renderStepForm();
  renderStepPicker();
  markDiagram();
  for (const li of document.querySelectorAll('#validation-errors .problem')) li.classList.toggle('current', li.dataset.step === id);
  if (scroll) {
    const node = $('diagram').querySelector(`g.node[data-step="${CSS.escape(id)}"]`);
    node?.scrollIntoView({ block: 'center', inline: 'center', behavior: 'smooth' });
  }
}

export function showTab(tab) {
  state.tab = tab;
  for (const b of document.querySelectorAll('.tab')) b.classList.toggle('active', b.dataset.tab === tab);
  for (const p of ['step', 'doc', 'yaml', 'diff']) $(`panel-${p}`).hidden = p !== tab;
  if (tab === 'yaml') syncYaml(true);
  if (tab === 'diff') renderDiff();
  if (tab === 'doc') renderDocForm();
}

export function renderStepPicker() {
  const picker = $('step-picker');
  $('step-tools').hidden = !state.draft;
  if (!state.draft) return;
  const ids = Object.keys(state.draft.steps ?? {});
  picker.replaceChildren(
    ...ids.map((id) => h('option', { value: id, selected: id === state.selected }, `${id} — ${localized(state.draft.steps[id]?.name)}`)),
  );
  if (state.selected) picker.value = state.selected;
  // suggestions for every "go to" field
  let list = $('step-ids');
  if (!list) {
    list = h('datalist', { id: 'step-ids' });
    document.body.append(list);
  }
  list.replaceChildren(...ids.map((id) => h('option', { value: id }, localized(state.draft.steps[id]?.name))));
}

export function renderForms() {
  renderStepForm();
  if (state.tab === 'doc') renderDocForm();
}

/** the "add step" box above the step form; returns a function that refills its kinds (language change) */
export function setupAddStep() {
  const kindSelect = $('new-step-kind');
  const fill = () => kindSelect.replaceChildren(...STEP_KINDS.map((k) => h('option', { value: k }, `${kindName(k)} · ${k}`)));
  fill();
  $('add-step-button').addEventListener('click', () => {
    const id = $('new-step-id').value.trim();
    const errBox = $('add-step-error');
    if (!IDENT.test(id)) return void (errBox.textContent = t('badId'));
    if (state.draft.steps?.[id]) return void (errBox.textContent = t('idTaken'));
    errBox.textContent = '';
    state.draft.steps = { ...(state.draft.steps ?? {}), [id]: templateStep(kindSelect.value, id) };
    $('new-step-id').value = '';
    $('add-step').open = false;
    state.selected = id;
    changed({ form: true });
  });
  $('step-picker').addEventListener('change', (e) => selectStep(e.target.value, { scroll: true }));
  return fill;
}
