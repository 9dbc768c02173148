// The SOP document model (SopDocument, see sops/types.ts): key order, transitions, step templates,
// kind changes and renames.
import { t } from './i18n.js';
import { state } from './state.js';
import { isObj } from './util.js';

export const DOC_KEYS = ['type', 'name', 'version', 'appliesTo', 'start', 'policy', 'policyFrom', 'steps'];
export const COMMON_KEYS = ['kind', 'name', 'owner', 'sla', 'onBreach'];
export const KIND_KEYS = {
  action: ['action', 'input', 'output', 'next', 'onError'],
  human_task: ['group', 'task', 'decisions', 'data', 'distinctFrom', 'silence', 'output', 'next'],
  wait_signal: ['signal', 'timeout', 'output', 'next', 'onTimeout'],
  decision: ['branches', 'otherwise'],
  notify: ['to', 'message', 'channels', 'next'],
  escalate: ['to', 'level', 'reason', 'next'],
  close: ['resolution', 'data'],
};
export function ordered(obj, keys) {
  if (!isObj(obj)) return obj;
  const out = {};
  for (const k of keys) if (k in obj) out[k] = obj[k];
  for (const k of Object.keys(obj)) if (!(k in out)) out[k] = obj[k];
  return out;
}
const orderedText = (v) => ordered(v, ['zh', 'en']);

/** the transitions of a step, in the order an author reads them */
export function transitions(step) {
  const out = [];
  if (!isObj(step)) return out;
  const push = (to, label, style = 'solid') => typeof to === 'string' && to !== '' && out.push({ to, label, style });
  switch (step.kind) {
    case 'action':
      push(step.next, '');
      push(step.onError, t('edgeError'), 'dashed');
      break;
    case 'human_task':
      if (isObj(step.next)) for (const [decision, to] of Object.entries(step.next)) push(to, decision);
      else push(step.next, Array.isArray(step.decisions) ? step.decisions.join(' / ') : '');
      break;
    case 'wait_signal':
      push(step.next, typeof step.signal === 'string' ? step.signal : '');
      push(step.onTimeout, t('edgeTimeout'), 'dashed');
      break;
    case 'decision':
      (Array.isArray(step.branches) ? step.branches : []).forEach((b, i) => push(b?.next, `${i + 1}. ${exprText(b?.when)}`));
      push(step.otherwise, t('edgeOtherwise'));
      break;
    default:
      push(step.next, '');
  }
  if (isObj(step.onBreach) && step.onBreach.action === 'continue') push(step.onBreach.next, t('edgeBreach'), 'dashed');
  return out;
}

/** the document with a readable key order and its steps in the order they run (the API stores JSONB, which reorders keys) */
export function normalizeDoc(doc) {
  if (!isObj(doc)) return doc;
  const out = ordered(doc, DOC_KEYS);
  if (isObj(out.name)) out.name = orderedText(out.name);
  if (isObj(out.steps)) {
    const ids = Object.keys(out.steps);
    const seen = new Set();
    const queue = typeof out.start === 'string' && out.steps[out.start] ? [out.start] : [];
    const order = [];
    while (queue.length) {
      const id = queue.shift();
      if (seen.has(id) || !out.steps[id]) continue;
      seen.add(id);
      order.push(id);
      for (const tr of transitions(out.steps[id])) if (!seen.has(tr.to)) queue.push(tr.to);
    }
    for (const id of ids) if (!seen.has(id)) order.push(id);
    const steps = {};
    for (const id of order) {
      const s = out.steps[id];
      if (!isObj(s)) {
        steps[id] = s;
        continue;
      }
      const step = ordered(s, [...COMMON_KEYS, ...(KIND_KEYS[s.kind] ?? [])]);
      for (const k of ['name', 'task', 'message']) if (isObj(step[k])) step[k] = orderedText(step[k]);
      if (isObj(step.onBreach)) step.onBreach = ordered(step.onBreach, ['action', 'to', 'next']);
      if (isObj(step.silence)) step.silence = ordered(step.silence, ['after', 'action']);
      if (Array.isArray(step.branches)) step.branches = step.branches.map((b) => ordered(b, ['when', 'next']));
      if (isObj(step.next) && Array.isArray(step.decisions)) step.next = ordered(step.next, step.decisions);
      steps[id] = step;
    }
    out.steps = steps;
  }
  return out;
}

/** a short human reading of a JSON Logic expression, for edge labels */
export function exprText(e, depth = 0) {
  if (depth > 4) return '…';
  if (e === null || typeof e !== 'object') return JSON.stringify(e) ?? '';
  if (Array.isArray(e)) return `[${e.map((x) => exprText(x, depth + 1)).join(', ')}]`;
  const [op] = Object.keys(e);
  if (!op) return '{}';
  const args = Array.isArray(e[op]) ? e[op] : [e[op]];
  const a = args.map((x) => exprText(x, depth + 1));
  switch (op) {
    case 'var':
      return String(args[0] ?? '');
    case '!!':
      return a[0];
    case '!':
      return `not ${a[0]}`;
    case '==':
    case '===':
      return `${a[0]} = ${a[1]}`;
    case '!=':
    case '!==':
      return `${a[0]} ≠ ${a[1]}`;
    case '>=':
      return `${a[0]} ≥ ${a[1]}`;
    case '<=':
      return `${a[0]} ≤ ${a[1]}`;
    case '>':
    case '<':
      return `${a[0]} ${op} ${a[1]}`;
    case 'and':
      return a.join(' and ');
    case 'or':
      return a.join(' or ');
    case 'in':
      return `${a[0]} in ${a[1]}`;
    default:
      return `${op}(${a.join(', ')})`;
  }
}

export function templateStep(kind, id) {
  const name = { zh: id, en: id };
  const groups = state.catalog.skillGroups;
  switch (kind) {
    case 'action': {
      const action = Object.keys(state.catalog.actions)[0] ?? 'fetchOrder';
      const input = {};
      for (const k of state.catalog.actions[action]?.inputs ?? []) input[k] = { var: '' };
      return { kind, name, owner: 'system', action, input, next: '' };
    }
    case 'human_task':
      return { kind, name, owner: groups[0] ?? 'general_group', sla: '4h', group: groups[0] ?? 'general_group', task: { zh: '', en: '' }, decisions: ['approve', 'reject'], next: '' };
    case 'wait_signal':
      return { kind, name, owner: 'user', signal: state.catalog.signals[0] ?? 'confirmation', timeout: '24h', next: '', onTimeout: '' };
    case 'decision':
      return { kind, name, owner: 'system', branches: [{ when: { '!!': { var: '' } }, next: '' }], otherwise: '' };
    case 'notify':
      return { kind, name, owner: 'system', to: 'user', message: { zh: '', en: '' }, next: '' };
    case 'escalate':
      return { kind, name, owner: 'system', to: 'supervisor_group', level: 1, reason: id, next: '' };
    case 'close':
    default:
      return { kind: 'close', name, owner: 'system', resolution: 'resolved' };
  }
}

/** changing a step's kind keeps what both kinds share */
export function convertStep(step, kind, id) {
  const fresh = templateStep(kind, id);
  for (const k of ['name', 'owner']) if (step[k] !== undefined) fresh[k] = step[k];
  // sla bounds only actions and human tasks, onBreach only human tasks: the validator refuses them elsewhere
  if (step.sla !== undefined && (kind === 'action' || kind === 'human_task')) fresh.sla = step.sla;
  if (step.onBreach !== undefined && kind === 'human_task') fresh.onBreach = step.onBreach;
  if ('next' in fresh && typeof step.next === 'string') fresh.next = step.next;
  if ('output' in step && ['action', 'human_task', 'wait_signal'].includes(kind)) fresh.output = step.output;
  return ordered(fresh, [...COMMON_KEYS, ...(KIND_KEYS[kind] ?? [])]);
}

/** rename a step and every reference to it */
export function renameStep(doc, from, to) {
  const steps = {};
  for (const [id, s] of Object.entries(doc.steps)) steps[id === from ? to : id] = s;
  doc.steps = steps;
  if (doc.start === from) doc.start = to;
  const fix = (v) => (v === from ? to : v);
  for (const s of Object.values(steps)) {
    if (!isObj(s)) continue;
    for (const k of ['next', 'onError', 'onTimeout', 'otherwise']) if (typeof s[k] === 'string') s[k] = fix(s[k]);
    if (isObj(s.next)) for (const d of Object.keys(s.next)) s.next[d] = fix(s.next[d]);
    if (Array.isArray(s.branches)) for (const b of s.branches) if (isObj(b)) b.next = fix(b.next);
    if (isObj(s.onBreach) && typeof s.onBreach.next === 'string') s.onBreach.next = fix(s.onBreach.next);
  }
}
