// What the holder of a waiting human step may do besides deciding: transfer it to another agent of the group,
// release it to the queue, ask the user for more information (the step's SLA clock stops until the answer), or
// escalate it to the supervisors' queue. While the ticket waits on the user only transfer and release are offered:
// the workflow refuses a second question and an escalation before the answer.
import { $, h } from '/shared/dom.js';
import * as calls from './api.js';
import { i18n } from './i18n.js';
import { state } from './state.js';

const message = (text, kind = '') => Object.assign($('action-message'), { textContent: text, className: `message ${kind}` });

/** a call of the holder's; its answer said in the message line, the ticket read again after a success */
async function act(call, done, onChanged) {
  const answer = await call();
  if (answer.status === 200) {
    message(i18n.t(done), 'ok');
    onChanged();
  } else message(`${i18n.t('failed')}: ${answer.body?.message ?? answer.status}`, 'bad');
}

/** a one-line text and a button: the question to the user, the reason of an escalation */
function textAction({ name, label, placeholder, button, call, done, onChanged }) {
  const text = h('input', { type: 'text', name, maxlength: 500, placeholder, 'data-testid': `${name}-text` });
  const form = h(
    'form',
    { class: 'holder-form', 'data-testid': `${name}-form` },
    h('label', { class: 'data-field' }, h('span', {}, label), text),
    h('button', { class: 'btn', type: 'submit', 'data-testid': name }, button),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = text.value.trim();
    if (!value) {
      message(`${label}: ${i18n.t('required')}`, 'bad');
      text.focus();
      return;
    }
    act(() => call(value), done, onChanged);
  });
  return form;
}

export function holderActions({ ticketId, waiting, onChanged }) {
  const others = state.agents.filter((a) => a.id !== state.me.id && a.groups.includes(waiting.group));
  const select = h('select', { 'data-testid': 'transfer-to' }, others.map((a) => h('option', { value: a.id }, `${a.displayName ?? a.id} (${a.status})`)));
  const box = h(
    'div',
    { class: 'holder-actions', 'data-testid': 'holder-actions' },
    h('label', {}, `${i18n.t('transferTo')} `, select),
    h('button', { class: 'btn', type: 'button', 'data-testid': 'transfer', disabled: !others.length || undefined, onclick: () => act(() => calls.transfer(ticketId, select.value), 'transferred', onChanged) }, i18n.t('transfer')),
    h('button', { class: 'btn', type: 'button', 'data-testid': 'release', onclick: () => act(() => calls.release(ticketId), 'released', onChanged) }, i18n.t('release')),
  );
  if (waiting.paused) {
    box.append(h('p', { class: 'muted wide-row', 'data-testid': 'holder-waiting-user' }, i18n.t('waitingNoActions')));
    return box;
  }
  box.append(
    textAction({ name: 'ask-info', label: i18n.t('askUser'), placeholder: i18n.t('askUserHint'), button: i18n.t('askUserButton'), call: (q) => calls.requestInfo(ticketId, q), done: 'infoRequested', onChanged }),
    textAction({ name: 'escalate', label: i18n.t('escalateReason'), placeholder: i18n.t('escalateHint'), button: i18n.t('escalateButton'), call: (r) => calls.escalate(ticketId, r), done: 'escalatedDone', onChanged }),
  );
  return box;
}
