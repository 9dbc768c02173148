// The decision form, built from the live step's declared decisions and data schema (integer, number, string,
// boolean; required, bounds, choices), and below it the holder's other actions (holder-actions.js). Answers of the
// API (403 not the holder, 409 with the field out of bounds) are shown as they come.
import { $, h } from '/shared/dom.js';
import * as calls from './api.js';
import { holderActions } from './holder-actions.js';
import { i18n, localized, tf } from './i18n.js';
import { state } from './state.js';

const num = (v) => (typeof v === 'number' ? v : undefined); // bounds that are expressions are checked by the workflow
const required = (spec) => spec.required !== false; // fields are required unless the schema says otherwise

function input(name, spec) {
  const common = { name, 'data-testid': `data-${name}`, required: required(spec) || undefined };
  if (spec.type === 'boolean') return h('input', { ...common, type: 'checkbox', required: undefined });
  if (Array.isArray(spec.enum)) return h('select', common, required(spec) ? null : h('option', { value: '' }, ''), spec.enum.map((v) => h('option', { value: String(v) }, String(v))));
  if (spec.type === 'integer' || spec.type === 'number') return h('input', { ...common, type: 'number', step: spec.type === 'integer' ? '1' : 'any', min: num(spec.min), max: num(spec.max), inputmode: spec.type === 'integer' ? 'numeric' : 'decimal' });
  return h('input', { ...common, type: 'text', minlength: spec.minLength, maxlength: spec.maxLength });
}

function fieldsOf(schema, decision) {
  const fields = schema?.[decision] ?? {};
  return Object.entries(fields).map(([name, spec]) =>
    h('label', { class: 'data-field' }, h('span', {}, `${name}${required(spec) ? ' *' : ''}`, h('small', { class: 'muted' }, ` ${spec.type}`)), input(name, spec)),
  );
}

/** the form's values, typed as the schema says; empty optional fields left out */
function readData(form, schema, decision) {
  const data = {};
  for (const [name, spec] of Object.entries(schema?.[decision] ?? {})) {
    const el = form.elements.namedItem(name);
    if (spec.type === 'boolean') data[name] = el.checked;
    else if (el.value === '') continue;
    else if (spec.type === 'integer') data[name] = Number.parseInt(el.value, 10);
    else if (spec.type === 'number') data[name] = Number(el.value);
    else if (Array.isArray(spec.enum) && typeof spec.enum[0] === 'number') data[name] = Number(el.value);
    else data[name] = el.value;
  }
  return data;
}

const message = (text, kind = '') => Object.assign($('action-message'), { textContent: text, className: `message ${kind}` });

export function renderDecision({ onChanged }) {
  const box = $('decision');
  const { ticket, live } = state.open;
  const waiting = live?.waitingFor?.kind === 'human_task' ? live.waitingFor : null;
  const holder = live?.holder?.agentId ?? null;
  box.replaceChildren(h('h3', {}, i18n.t('decision')));
  if (!waiting) {
    box.append(h('p', { class: 'muted', 'data-testid': 'not-waiting' }, i18n.t('notWaiting')));
    return;
  }
  const step = state.sop?.steps?.[live.step];
  if (step?.task) box.append(h('p', { class: 'task', 'data-testid': 'task' }, localized(step.task)));
  const mayDecide = !holder || holder === state.me.id || ['supervisor', 'admin'].includes(state.me.role);
  const fields = h('div', { class: 'data-fields' });
  const choose = (decision) => fields.replaceChildren(...fieldsOf(waiting.data, decision));
  const form = h(
    'form',
    { 'data-testid': 'decision-form', dataset: { step: live.step } },
    h('div', { class: 'choices' }, waiting.decisions.map((d, i) => h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'decision', value: d, checked: i === 0 || undefined, 'data-testid': `decision-${d}`, onchange: () => choose(d) }), d))),
    fields,
    h('label', { class: 'data-field' }, h('span', {}, i18n.t('note')), h('textarea', { name: 'note', rows: 2, maxlength: 500, 'data-testid': 'decision-note' })),
    h('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'decide', disabled: !mayDecide || undefined }, i18n.t('decide')),
  );
  form.querySelector('input[name=decision]')?.setAttribute('checked', '');
  choose(waiting.decisions[0]);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const decision = form.elements.namedItem('decision').value;
    const note = form.elements.namedItem('note').value.trim();
    const data = readData(form, waiting.data, decision);
    const answer = await calls.decide(ticket.id, { decision, ...(note ? { note } : {}), ...(Object.keys(data).length ? { data } : {}) });
    if (answer.status === 202) {
      message(i18n.t('decided'), 'ok');
      onChanged();
    } else message(`${i18n.t('failed')}: ${answer.body?.message ?? answer.status}`, 'bad');
  });
  box.append(form);
  if (!mayDecide) box.append(h('p', { class: 'muted' }, tf('heldByOther', { who: holder })));
  if (holder === state.me.id) box.append(holderActions({ ticketId: ticket.id, waiting, onChanged }));
}
