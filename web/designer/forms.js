// The step form: the fields every step has, those of its kind, its SLA breach handling; rename, remove,
// change kind, make it the start.
import { $, h } from './dom.js';
import { STEP_KINDS, bilingual, kindName, t } from './i18n.js';
import { convertStep, exprText, renameStep } from './model.js';
import { state } from './state.js';
import { IDENT, isObj } from './util.js';
import { changed } from './editor.js';
import { ensureDatalist, field, groupsList, jsonInput, selectInput, stepRef, textArea, textInput } from './fields.js';
import { markFieldErrors } from './validation.js';

export function renderStepForm() {
  const form = $('step-form');
  state.fieldErrors = new Set([...state.fieldErrors].filter((k) => !k.startsWith('step:')));
  const id = state.selected;
  const step = id ? state.draft?.steps?.[id] : null;
  if (!state.draft || !id || !isObj(step)) {
    form.replaceChildren(h('p', { class: 'muted' }, t('selectStepHint')));
    return;
  }
  ensureDatalist('owner-list', groupsList());
  ensureDatalist('group-list', state.catalog.skillGroups);
  ensureDatalist('duration-list', ['30s', '5m', '15m', '1h', '4h', '24h', '2d', ...Object.keys(state.draft.policy ?? {}).map((k) => `$${k}`)]);
  const base = `steps.${id}`;
  const set = (key, value, { rerender = false, optional = false } = {}) => {
    if (optional && (value === '' || value === undefined)) delete step[key];
    else step[key] = value;
    changed({ form: rerender });
  };
  const setText = (key, lang, value) => {
    step[key] = isObj(step[key]) ? step[key] : { zh: '', en: '' };
    step[key][lang] = value;
    changed({ form: false });
  };

  // header: id, kind, rename / remove / start
  const renameBox = textInput(id, () => {}, { 'data-testid': 'field-id', class: 'mono' });
  const renameError = h('div', { class: 'field-error', 'data-testid': 'rename-error' });
  const doRename = () => {
    const to = renameBox.value.trim();
    if (to === id) return;
    if (!IDENT.test(to)) return void (renameError.textContent = t('badId'));
    if (state.draft.steps[to]) return void (renameError.textContent = t('idTaken'));
    renameStep(state.draft, id, to);
    state.selected = to;
    changed({ form: true });
  };
  renameBox.addEventListener('keydown', (e) => e.key === 'Enter' && doRename());
  let armed = false;
  const removeBtn = h('button', { type: 'button', class: 'btn btn-small btn-danger', 'data-testid': 'remove-step' }, t('remove'));
  removeBtn.addEventListener('click', () => {
    if (!armed) {
      armed = true;
      removeBtn.textContent = t('reallyRemove');
      setTimeout(() => {
        armed = false;
        removeBtn.textContent = t('remove');
      }, 4000);
      return;
    }
    delete state.draft.steps[id];
    state.selected = state.draft.start && state.draft.steps[state.draft.start] ? state.draft.start : Object.keys(state.draft.steps)[0] ?? null;
    changed({ form: true });
  });

  const kind = step.kind;
  const header = h(
    'div',
    { class: 'step-head' },
    h('div', { class: `kind-chip kind-${kind}`, 'data-testid': 'step-kind-chip' }, kindName(kind)),
    state.draft.start === id ? h('span', { class: 'pill pill-ok' }, t('isStart')) : '',
    h('div', { class: 'row end' }, field('id', renameBox), h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'rename-step', onclick: doRename }, t('rename'))),
    renameError,
    h(
      'div',
      { class: 'row' },
      field('kind', selectInput(kind, STEP_KINDS.map((k) => ({ value: k, label: `${kindName(k)} · ${k}` })), (v) => {
        state.draft.steps[id] = convertStep(step, v, id);
        changed({ form: true });
      }, { 'data-testid': 'field-kind' }), { path: `${base}.kind` }),
    ),
    h(
      'div',
      { class: 'row actions' },
      state.draft.start !== id ? h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'set-start', onclick: () => { state.draft.start = id; changed({ form: true }); } }, t('setStart')) : '',
      removeBtn,
    ),
    h('div', { id: 'step-errors', class: 'step-errors', 'data-testid': 'step-errors', hidden: true }),
  );

  const common = [
    h(
      'div',
      { class: 'row two' },
      field('nameZh', textInput(step.name?.zh, (v) => setText('name', 'zh', v), { 'data-testid': 'field-name-zh' }), { path: `${base}.name.zh` }),
      field('nameEn', textInput(step.name?.en, (v) => setText('name', 'en', v), { 'data-testid': 'field-name-en' }), { path: `${base}.name.en` }),
    ),
    h(
      'div',
      { class: 'row two' },
      field('owner', textInput(step.owner, (v) => set('owner', v), { list: 'owner-list', 'data-testid': 'field-owner' }), { path: `${base}.owner`, hint: t('ownerHint') }),
      field('sla', textInput(step.sla, (v) => set('sla', v, { optional: true }), { list: 'duration-list', 'data-testid': 'field-sla', class: 'mono' }), { path: `${base}.sla`, hint: t('durationHint') }),
    ),
  ];

  const specific = kindFields(step, id, base, set, setText);

  // SLA breach
  const breach = isObj(step.onBreach) ? step.onBreach : null;
  const breachRows = [
    field('onBreach', selectInput(breach?.action ?? '', [
      { value: '', label: t('breachNone') },
      { value: 'escalate', label: `${t('breachEscalate')} (escalate)` },
      { value: 'notify', label: `${t('breachNotify')} (notify)` },
      { value: 'continue', label: `${t('breachContinue')} (continue)` },
    ], (v) => {
      if (!v) delete step.onBreach;
      else step.onBreach = { ...(breach ?? {}), action: v };
      if (v !== 'continue' && step.onBreach) delete step.onBreach.next;
      changed({ form: true });
    }, { 'data-testid': 'field-breach-action' }), { path: `${base}.onBreach.action` }),
  ];
  if (breach && breach.action !== 'continue') {
    breachRows.push(field('breachTo', textInput(breach.to, (v) => { if (v) breach.to = v; else delete breach.to; changed(); }, { list: 'group-list', 'data-testid': 'field-breach-to', placeholder: 'supervisor_group' }), { path: `${base}.onBreach.to` }));
  }
  if (breach && breach.action === 'continue') {
    breachRows.push(field('breachNext', stepRef(breach.next, (v) => { breach.next = v; changed(); }, { 'data-testid': 'field-breach-next' }), { path: `${base}.onBreach.next` }));
  }

  form.replaceChildren(
    header,
    h('fieldset', {}, ...common),
    h('fieldset', {}, h('legend', {}, kindName(kind)), ...specific),
    h('fieldset', {}, h('div', { class: 'row two' }, ...breachRows)),
    kind === 'human_task' ? h('fieldset', {}, h('div', { class: 'row two' }, ...silenceRows(step, base, changed))) : '',
  );
  markFieldErrors();
}

function kindFields(step, id, base, set, setText) {
  const out = [];
  const refField = (labelKey, key, opts = {}) =>
    field(labelKey, stepRef(step[key], (v) => set(key, v, { optional: opts.optional }), { 'data-testid': `field-${key}` }), { path: `${base}.${key}`, hint: opts.hint });
  const outputField = () => field('output', textInput(step.output, (v) => set('output', v, { optional: true }), { 'data-testid': 'field-output', class: 'mono' }), { path: `${base}.output` });
  const textPair = (key, zhKey, enKey, rows = 3) =>
    h(
      'div',
      { class: 'row' },
      field(zhKey, textArea(step[key]?.zh, (v) => setText(key, 'zh', v), { rows, 'data-testid': `field-${key}-zh` }), { path: `${base}.${key}.zh`, wide: true }),
      field(enKey, textArea(step[key]?.en, (v) => setText(key, 'en', v), { rows, 'data-testid': `field-${key}-en` }), { path: `${base}.${key}.en`, wide: true }),
    );

  switch (step.kind) {
    case 'action': {
      const spec = state.catalog.actions[step.action];
      const actions = Object.keys(state.catalog.actions);
      out.push(
        field('action', selectInput(step.action ?? '', actions.map((a) => ({ value: a, label: a })), (v) => set('action', v, { rerender: true }), { 'data-testid': 'field-action' }), {
          path: `${base}.action`,
          hint: spec ? `${spec.description}. ${t('needs')}: ${spec.inputs.join(', ') || '—'}${spec.optionalInputs?.length ? `; ${t('optional')}: ${spec.optionalInputs.join(', ')}` : ''}. ${t('returns')}: ${spec.returns}` : '',
        }),
        field('input', jsonInput(step.input, (v) => set('input', v, { optional: true }), 'step:input', { 'data-testid': 'field-input', rows: 3 }), { path: `${base}.input` }),
        h('div', { class: 'row two' }, outputField(), refField('next', 'next')),
        refField('onError', 'onError', { optional: true, hint: t('onErrorHint') }),
      );
      break;
    }
    case 'human_task': {
      const decisions = Array.isArray(step.decisions) ? step.decisions : [];
      const perDecision = isObj(step.next);
      out.push(
        field('group', textInput(step.group, (v) => set('group', v), { list: 'group-list', 'data-testid': 'field-group' }), { path: `${base}.group` }),
        textPair('task', 'taskZh', 'taskEn', 3),
        field('decisions', textInput(decisions.join(', '), () => {}, {
          'data-testid': 'field-decisions',
          onchange: (e) => {
            const list = e.target.value.split(/[,,\s]+/).map((s) => s.trim()).filter(Boolean);
            step.decisions = list;
            if (isObj(step.next)) step.next = Object.fromEntries(list.map((d) => [d, step.next[d] ?? '']));
            changed({ form: true });
          },
        }), { path: `${base}.decisions` }),
        outputField(),
        h('label', { class: 'check' }, h('input', {
          type: 'checkbox', checked: perDecision, 'data-testid': 'field-per-decision',
          onchange: (e) => {
            if (e.target.checked) step.next = Object.fromEntries(decisions.map((d) => [d, typeof step.next === 'string' ? step.next : '']));
            else step.next = isObj(step.next) ? Object.values(step.next)[0] ?? '' : '';
            changed({ form: true });
          },
        }), ' ', t('perDecision')),
      );
      if (perDecision) {
        out.push(h('div', { class: 'row two' }, ...decisions.map((d) =>
          h('label', { class: 'field' }, h('span', {}, `${t('next')}: `, h('b', {}, d)), (() => {
            const inp = stepRef(step.next[d], (v) => { step.next[d] = v; changed(); }, { 'data-testid': `field-next-${d}` });
            inp.dataset.path = `${base}.next.${d}`;
            return inp;
          })()),
        )));
      } else out.push(refField('next', 'next'));
      break;
    }
    case 'wait_signal':
      out.push(
        h(
          'div',
          { class: 'row two' },
          field('signal', selectInput(step.signal ?? '', state.catalog.signals.map(String), (v) => set('signal', v, { rerender: false }), { 'data-testid': 'field-signal' }), { path: `${base}.signal` }),
          field('timeout', textInput(step.timeout, (v) => set('timeout', v), { list: 'duration-list', 'data-testid': 'field-timeout', class: 'mono' }), { path: `${base}.timeout`, hint: t('durationHint') }),
        ),
        outputField(),
        h('div', { class: 'row two' }, refField('next', 'next'), refField('onTimeout', 'onTimeout')),
      );
      break;
    case 'decision': {
      const branches = Array.isArray(step.branches) ? step.branches : (step.branches = []);
      out.push(h('div', { class: 'subhead' }, bilingual('branches')));
      branches.forEach((b, i) => {
        const move = (d) => {
          const j = i + d;
          if (j < 0 || j >= branches.length) return;
          [branches[i], branches[j]] = [branches[j], branches[i]];
          changed({ form: true });
        };
        const summary = h('div', { class: 'hint mono' }, exprText(b?.when));
        out.push(
          h(
            'div',
            { class: 'branch', 'data-testid': `branch-${i}` },
            h(
              'div',
              { class: 'branch-head' },
              h('b', {}, t('branch', { n: i + 1 })),
              h('span', { class: 'spacer' }),
              h('button', { type: 'button', class: 'btn btn-tiny', title: '↑', onclick: () => move(-1) }, '↑'),
              h('button', { type: 'button', class: 'btn btn-tiny', title: '↓', onclick: () => move(1) }, '↓'),
              h('button', { type: 'button', class: 'btn btn-tiny btn-danger', 'data-testid': `remove-branch-${i}`, onclick: () => { branches.splice(i, 1); changed({ form: true }); } }, '✕'),
            ),
            field('when', jsonInput(b?.when, (v) => { b.when = v; summary.textContent = exprText(v); changed(); }, `step:when${i}`, { 'data-testid': `field-branch-${i}-when`, rows: 2 }), { path: `${base}.branches.${i}.when` }),
            summary,
            field('next', stepRef(b?.next, (v) => { b.next = v; changed(); }, { 'data-testid': `field-branch-${i}-next` }), { path: `${base}.branches.${i}.next` }),
          ),
        );
      });
      out.push(
        h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'add-branch', onclick: () => { branches.push({ when: { '!!': { var: '' } }, next: '' }); changed({ form: true }); } }, t('addBranch')),
        refField('otherwise', 'otherwise'),
      );
      break;
    }
    case 'notify': {
      const channels = Array.isArray(step.channels) ? step.channels : [];
      out.push(
        field('to', textInput(step.to, (v) => set('to', v), { list: 'owner-list', 'data-testid': 'field-to' }), { path: `${base}.to`, hint: t('toHint') }),
        textPair('message', 'messageZh', 'messageEn', 4),
        h('div', { class: 'hint' }, t('messageHint')),
        h(
          'div',
          { class: 'field', 'data-path': `${base}.channels` },
          bilingual('channels'),
          h('div', { class: 'checks' }, ...['in_app', 'sms', 'email'].map((c) =>
            h('label', { class: 'check' }, h('input', {
              type: 'checkbox', checked: channels.includes(c), 'data-testid': `field-channel-${c}`,
              onchange: (e) => {
                const next = new Set(Array.isArray(step.channels) ? step.channels : []);
                if (e.target.checked) next.add(c); else next.delete(c);
                const list = ['in_app', 'sms', 'email'].filter((x) => next.has(x));
                if (list.length) step.channels = list; else delete step.channels;
                changed();
              },
            }), ' ', c),
          )),
        ),
        refField('next', 'next'),
      );
      break;
    }
    case 'escalate':
      out.push(
        h(
          'div',
          { class: 'row two' },
          field('escalateTo', textInput(step.to, (v) => set('to', v), { list: 'group-list', 'data-testid': 'field-to' }), { path: `${base}.to` }),
          field('level', h('input', { type: 'number', min: 1, max: 9, value: step.level ?? 1, 'data-testid': 'field-level', oninput: (e) => set('level', e.target.value === '' ? undefined : Number(e.target.value)) }), { path: `${base}.level` }),
        ),
        field('reason', textInput(step.reason, (v) => set('reason', v), { 'data-testid': 'field-reason', class: 'mono' }), { path: `${base}.reason` }),
        field('escalateNext', stepRef(step.next, (v) => set('next', v, { optional: true }), { 'data-testid': 'field-next' }), { path: `${base}.next`, hint: t('escalateNextHint') }),
      );
      break;
    case 'close':
      out.push(
        field('resolution', textInput(step.resolution, (v) => set('resolution', v), { 'data-testid': 'field-resolution', class: 'mono' }), { path: `${base}.resolution`, hint: t('resolutionHint') }),
        field('data', jsonInput(step.data, (v) => set('data', v, { optional: true }), 'step:data', { 'data-testid': 'field-data', rows: 3 }), { path: `${base}.data` }),
      );
      break;
    default:
      break;
  }
  return out;
}

/** a human task's own silence rule (no action by the holder for `after` → action); none: the group's rule applies */
function silenceRows(step, base, changed) {
  const rule = isObj(step.silence) ? step.silence : null;
  const rows = [
    field('silence', selectInput(rule?.action ?? '', [
      { value: '', label: t('silenceGroup') },
      { value: 'remind', label: `${t('silenceRemind')} (remind)` },
      { value: 'reassign', label: `${t('silenceReassign')} (reassign)` },
      { value: 'notify_supervisor', label: `${t('silenceNotify')} (notify_supervisor)` },
    ], (v) => {
      if (!v) delete step.silence;
      else step.silence = { after: rule?.after ?? '30m', action: v };
      changed({ form: true });
    }, { 'data-testid': 'field-silence-action' }), { path: `${base}.silence.action` }),
  ];
  if (rule) rows.push(field('silenceAfter', textInput(rule.after, (v) => { rule.after = v; changed(); }, { list: 'duration-list', class: 'mono', 'data-testid': 'field-silence-after' }), { path: `${base}.silence.after`, hint: t('durationHint') }));
  return rows;
}
