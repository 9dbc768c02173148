// Live validation of the draft by the server (POST /v1/sops/validate): the badge, the problem list under
// the diagram, the red fields, and whether Publish is enabled.
import { $, debounce, h } from './dom.js';
import { t } from './i18n.js';
import { validateSop } from './api.js';
import { state } from './state.js';
import { isObj } from './util.js';
import { markDiagram } from './diagram.js';
import { selectStep, showTab } from './editor.js';

let validateSeq = 0;
export async function validateNow() {
  if (!state.draft) return;
  const seq = ++validateSeq;
  document.body.dataset.validating = 'true';
  state.validity = 'checking';
  renderValidity();
  try {
    if (!isObj(state.draft)) throw Object.assign(new Error(t('yamlNotObject')), { local: true });
    const result = await validateSop(state.draft);
    if (seq !== validateSeq) return;
    state.errors = sortErrors(result.errors ?? []);
    state.validity = result.valid ? 'valid' : 'invalid';
    state.validationFailure = '';
  } catch (err) {
    if (seq !== validateSeq) return;
    state.validity = 'error';
    state.errors = [];
    state.validationFailure = err.message;
  }
  document.body.dataset.validating = 'false';
  renderValidation();
}
export const debouncedValidate = debounce(validateNow, 350);
/** body[data-validating] tells tests (and styles) that the shown result is not yet the current draft's */
export function scheduleValidate() {
  document.body.dataset.validating = 'true';
  debouncedValidate();
}

/** field errors first, then whole-step errors (e.g. unreachable), then document errors */
export function sortErrors(errors) {
  const rank = (e) => (e.step && e.path.split('.').length > 2 ? 0 : e.step ? 1 : 2);
  return errors.map((e, i) => ({ e, i })).sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i).map((x) => x.e);
}

function renderValidity() {
  const el = $('validity');
  el.className = 'badge';
  el.dataset.state = state.validity;
  if (state.validity === 'valid') {
    el.classList.add('badge-ok');
    el.textContent = t('valid');
  } else if (state.validity === 'invalid') {
    el.classList.add('badge-bad');
    el.textContent = t('invalid', { n: state.errors.length });
  } else if (state.validity === 'checking') {
    el.classList.add('badge-muted');
    el.textContent = t('checking');
  } else if (state.validity === 'error') {
    el.classList.add('badge-bad');
    el.textContent = t('validationDown');
  } else {
    el.classList.add('badge-muted');
    el.textContent = '—';
  }
  updatePublishButton();
}

export function updatePublishButton() {
  const ok = state.validity === 'valid' && !state.yamlError && state.fieldErrors.size === 0 && Boolean(state.type);
  $('publish-button').disabled = !ok;
}

export function renderValidation() {
  renderValidity();
  const list = $('validation-errors');
  const count = $('problem-count');
  if (state.validity === 'error') {
    count.textContent = '';
    list.replaceChildren(h('li', { class: 'problem problem-doc' }, t('validationDown'), ': ', state.validationFailure));
  } else if (!state.errors.length) {
    count.textContent = '';
    list.replaceChildren(state.validity === 'valid' ? h('li', { class: 'ok' }, t('noProblems')) : '');
  } else {
    count.textContent = String(state.errors.length);
    list.replaceChildren(
      ...state.errors.map((e) =>
        h(
          'li',
          {
            class: `problem${e.step ? '' : ' problem-doc'}${e.step && e.step === state.selected ? ' current' : ''}`,
            'data-testid': 'validation-error',
            dataset: { step: e.step ?? '', path: e.path },
            onclick: () => (e.step && state.draft?.steps?.[e.step] ? selectStep(e.step, { scroll: true }) : showTab(e.path.startsWith('steps') ? 'yaml' : 'doc')),
          },
          e.step ? h('span', { class: 'problem-step' }, e.step) : h('span', { class: 'problem-step doc' }, e.path || '—'),
          h('span', { class: 'problem-msg' }, e.message),
          e.step ? h('span', { class: 'problem-path' }, e.path) : '',
        ),
      ),
    );
  }
  markDiagram();
  markFieldErrors();
}

/** red inputs in the forms where an error's path points */
export function markFieldErrors() {
  for (const el of document.querySelectorAll('[data-path]')) {
    if (el.closest('#validation-errors')) continue;
    const p = el.dataset.path;
    const mine = state.errors.filter((e) => e.path === p || e.path.startsWith(`${p}.`));
    const wrap = el.closest('.field') ?? el.parentElement;
    el.classList.toggle('invalid', mine.length > 0);
    let msg = wrap?.querySelector(':scope > .server-error');
    if (mine.length && wrap) {
      if (!msg) {
        msg = h('div', { class: 'field-error server-error', 'data-testid': 'field-error' });
        wrap.append(msg);
      }
      msg.textContent = mine.map((e) => e.message).join(' · ');
    } else msg?.remove();
  }
  const box = $('step-errors');
  if (box) {
    const mine = state.errors.filter((e) => e.step === state.selected);
    box.hidden = mine.length === 0;
    box.replaceChildren(h('strong', {}, t('stepErrors')), h('ul', {}, ...mine.map((e) => h('li', {}, e.message))));
  }
}
