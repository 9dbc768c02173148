// Validation of SOP documents: every problem at once, each with its step and JSON path.
// Pure (no Node APIs): used by the API on publish, by the loader of the defaults and by the designer.
import { ACTIONS, SKILL_GROUPS } from './actions';
import { schemaErrors } from './decision-data';
import { durationError } from './duration';
import { checkExpression, expressionPaths, inspectTemplate } from './expressions';
import { FORBIDDEN_NAMES, SIGNALS, STEP_KINDS, type SopDocument, type SopValidationError } from './types';

export { STEP_KINDS };
/** Step kinds on which `sla` bounds something (an action's attempts, a human_task's wait); elsewhere it is refused. */
const SLA_KINDS = new Set<string>(['action', 'human_task']);
/** Steps that wait for the outside world: a cycle must go through one of them. */
const WAIT_KINDS = new Set<string>(['wait_signal', 'human_task']);
/** Context keys the interpreter provides besides the step outputs. */
export const RESERVED_CONTEXT_KEYS = ['ticket', 'policy', 'counters', 'lastSolution', 'handoff', 'handoffDecision', 'satisfaction'] as const;
/** The fields of `ticket` in the context. */
export const TICKET_FIELDS = [
  'id', 'requestId', 'category', 'subtype', 'skillGroup', 'priority', 'userId', 'userTier', 'orderId',
  'region', 'channel', 'language', 'issueText', 'appVersion', 'claim',
  // review tickets only: the rated ticket they review (ticketId, score, reason, comment)
  'reviewOf',
] as const;
export const COUNTER_FIELDS = ['rejections', 'reopens', 'visits'] as const;
const CHANNELS = ['in_app', 'sms', 'email'];
const BREACH_ACTIONS = ['escalate', 'notify', 'continue'];
const GROUPS: readonly string[] = SKILL_GROUPS;
const SIGNAL_NAMES: readonly string[] = SIGNALS;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FORBIDDEN: readonly string[] = FORBIDDEN_NAMES;
const APPLIES_TO = /^[a-z0-9_]+\/([a-z0-9_]+|\*)$/;

export interface SopValidationResult {
  valid: boolean;
  errors: SopValidationError[];
  document?: SopDocument;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

interface Edge {
  to: string;
  path: string;
}

export function validateSop(doc: unknown): SopValidationResult {
  const errors: SopValidationError[] = [];
  const err = (path: string, message: string, step?: string) => errors.push(step === undefined ? { path, message } : { step, path, message });

  if (!isObj(doc)) {
    err('', `an SOP document must be an object, got ${doc === null ? 'null' : Array.isArray(doc) ? 'an array' : typeof doc}`);
    return { valid: false, errors };
  }

  // ---- document level ----
  if (!isNonEmptyString(doc.type)) err('type', 'missing type (the ticket type this SOP handles, e.g. fee_dispute)');
  else if (!IDENT.test(doc.type)) err('type', `type '${doc.type}' must be an identifier (letters, digits, _)`);
  checkLocalized(doc.name, 'name', undefined, err);
  if (!Array.isArray(doc.appliesTo) || doc.appliesTo.length === 0) {
    err('appliesTo', "missing appliesTo: a non-empty list of 'category/subtype' or 'category/*' labels");
  } else {
    doc.appliesTo.forEach((label, i) => {
      if (typeof label !== 'string' || !APPLIES_TO.test(label)) err(`appliesTo.${i}`, `appliesTo entry ${JSON.stringify(label)} must be 'category/subtype' or 'category/*'`);
    });
  }
  let policy: Obj = {};
  if (doc.policy !== undefined) {
    if (!isObj(doc.policy)) err('policy', 'policy must be a map of name → number, string or boolean');
    else {
      policy = doc.policy;
      for (const [k, v] of Object.entries(policy)) {
        if (!(typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')) err(`policy.${k}`, `policy value '${k}' must be a number, string or boolean, got ${JSON.stringify(v)}`);
        else if (typeof v === 'number' && !Number.isFinite(v)) err(`policy.${k}`, `policy value '${k}' is not a finite number`);
      }
    }
  }
  const steps: Obj = isObj(doc.steps) ? doc.steps : {};
  if (!isObj(doc.steps) || Object.keys(doc.steps).length === 0) err('steps', 'missing steps: a non-empty map of step id → step');
  const stepIds = new Set(Object.keys(steps));
  for (const id of stepIds) if (FORBIDDEN.includes(id)) err(`steps.${id}`, `step id '${id}' is reserved (${FORBIDDEN.join(', ')} would reach Object.prototype)`, id);
  const start = doc.start;
  let startOk = false;
  if (!isNonEmptyString(start)) err('start', 'missing start (the id of the first step)');
  else if (!stepIds.has(start)) err('start', `start step '${start}' does not exist`);
  else startOk = true;

  // outputs: the context roots an expression or template may read
  const outputs = new Set<string>();
  const humanOutputs = new Set<string>();
  for (const s of Object.values(steps)) {
    if (isObj(s) && typeof s.output === 'string') {
      outputs.add(s.output);
      if (s.kind === 'human_task') humanOutputs.add(s.output);
    }
  }

  const checkPaths = (paths: string[], path: string, step: string, what: string) => {
    for (const p of paths) {
      const problem = contextPathError(p, policy, outputs);
      if (problem) err(path, `${what} reads '${p}': ${problem}`, step);
    }
  };
  const checkExpr = (expr: unknown, path: string, step: string, what: string) => {
    const problem = checkExpression(expr);
    if (problem) err(path, `${what} does not parse: ${problem}`, step);
    else checkPaths(expressionPaths(expr), path, step, what);
  };
  const checkDuration = (d: unknown, path: string, step: string, what: string) => {
    const problem = durationError(d, policy);
    if (problem) err(path, `${what}: ${problem}`, step);
  };

  // ---- steps ----
  const edges = new Map<string, Edge[]>();
  const kinds = new Map<string, string>();
  for (const [id, raw] of Object.entries(steps)) {
    const at = `steps.${id}`;
    const out: Edge[] = [];
    edges.set(id, out);
    if (!isObj(raw)) {
      err(at, 'a step must be an object', id);
      continue;
    }
    const s = raw;
    const transition = (value: unknown, path: string, required: boolean) => {
      if (value === undefined || value === null || value === '') {
        if (required) err(path, `${s.kind} step needs '${path.slice(at.length + 1)}' (the next step)`, id);
        return;
      }
      if (typeof value !== 'string') return err(path, `transition must be a step id, got ${JSON.stringify(value)}`, id);
      if (!stepIds.has(value)) return err(path, `transition to step '${value}', which does not exist`, id);
      out.push({ to: value, path });
    };

    const kind = s.kind;
    if (typeof kind !== 'string' || !(STEP_KINDS as readonly string[]).includes(kind)) {
      err(`${at}.kind`, `unknown step kind ${JSON.stringify(kind)} (known: ${STEP_KINDS.join(', ')})`, id);
      // follow whatever transitions it names, so one bad kind does not also make its successors unreachable
      for (const key of ['next', 'onError', 'onTimeout', 'otherwise']) {
        const v = s[key];
        if (typeof v === 'string') transition(v, `${at}.${key}`, false);
        else if (isObj(v)) for (const [k, t] of Object.entries(v)) transition(t, `${at}.${key}.${k}`, false);
      }
      if (Array.isArray(s.branches)) s.branches.forEach((b, i) => isObj(b) && transition(b.next, `${at}.branches.${i}.next`, false));
      continue;
    }
    kinds.set(id, kind);

    // common fields
    if (s.name !== undefined) checkLocalized(s.name, `${at}.name`, id, err);
    if (!isNonEmptyString(s.owner)) err(`${at}.owner`, "missing owner (a skill group, 'system' or 'user')", id);
    else if (s.owner !== 'system' && s.owner !== 'user' && !GROUPS.includes(s.owner)) err(`${at}.owner`, `owner '${s.owner}' is not a skill group (${GROUPS.join(', ')}), 'system' or 'user'`, id);
    if (s.sla !== undefined) {
      if (!SLA_KINDS.has(kind)) err(`${at}.sla`, kind === 'wait_signal' ? 'a wait_signal step is bounded by its timeout: remove sla' : `sla has no effect on a ${kind} step: remove it`, id);
      else checkDuration(s.sla, `${at}.sla`, id, 'bad sla');
    }
    if (s.onBreach !== undefined && kind !== 'human_task') err(`${at}.onBreach`, `onBreach applies to human_task steps only, not to a ${kind} step`, id);
    else if (s.onBreach !== undefined) {
      const b = s.onBreach;
      if (!isObj(b)) err(`${at}.onBreach`, 'onBreach must be an object {action, to?, next?}', id);
      else {
        if (typeof b.action !== 'string' || !BREACH_ACTIONS.includes(b.action)) err(`${at}.onBreach.action`, `onBreach action ${JSON.stringify(b.action)} must be one of ${BREACH_ACTIONS.join(', ')}`, id);
        if (b.to !== undefined && (typeof b.to !== 'string' || !GROUPS.includes(b.to))) err(`${at}.onBreach.to`, `onBreach target ${JSON.stringify(b.to)} is not a skill group`, id);
        transition(b.next, `${at}.onBreach.next`, b.action === 'continue');
      }
    }
    if (s.output !== undefined) {
      if (typeof s.output !== 'string' || !IDENT.test(s.output)) err(`${at}.output`, `output ${JSON.stringify(s.output)} must be an identifier`, id);
      else if (FORBIDDEN.includes(s.output)) err(`${at}.output`, `output '${s.output}' is reserved (${FORBIDDEN.join(', ')} would reach Object.prototype)`, id);
      else if ((RESERVED_CONTEXT_KEYS as readonly string[]).includes(s.output)) err(`${at}.output`, `output '${s.output}' would overwrite the context's '${s.output}'`, id);
    }

    switch (kind) {
      case 'action': {
        const spec = typeof s.action === 'string' ? ACTIONS[s.action] : undefined;
        if (!spec || !Object.prototype.hasOwnProperty.call(ACTIONS, s.action as string)) {
          err(`${at}.action`, `unknown action ${JSON.stringify(s.action)} (known: ${Object.keys(ACTIONS).join(', ')})`, id);
        }
        const input = s.input === undefined ? {} : s.input;
        if (!isObj(input)) err(`${at}.input`, 'input must be a map of input name → expression', id);
        else {
          if (spec) {
            for (const name of spec.inputs) if (!(name in input)) err(`${at}.input.${name}`, `action '${s.action}' needs input '${name}'`, id);
            const known = [...spec.inputs, ...(spec.optionalInputs ?? [])];
            for (const name of Object.keys(input)) if (!known.includes(name)) err(`${at}.input.${name}`, `action '${s.action}' has no input '${name}' (inputs: ${known.join(', ')})`, id);
          }
          for (const [name, expr] of Object.entries(input)) checkExpr(expr, `${at}.input.${name}`, id, `input '${name}'`);
        }
        transition(s.next, `${at}.next`, true);
        transition(s.onError, `${at}.onError`, false);
        break;
      }
      case 'human_task': {
        if (!isNonEmptyString(s.group)) err(`${at}.group`, 'missing group (the skill group whose queue gets the task)', id);
        else if (!GROUPS.includes(s.group)) err(`${at}.group`, `group '${s.group}' is not a skill group (${GROUPS.join(', ')})`, id);
        checkLocalized(s.task, `${at}.task`, id, err);
        const decisions: string[] = [];
        if (!Array.isArray(s.decisions) || s.decisions.length === 0) err(`${at}.decisions`, 'missing decisions: a non-empty list of the decisions an agent may take', id);
        else {
          s.decisions.forEach((d, i) => {
            if (!isNonEmptyString(d) || !IDENT.test(d) || FORBIDDEN.includes(d)) err(`${at}.decisions.${i}`, `decision ${JSON.stringify(d)} must be an identifier other than ${FORBIDDEN.join(', ')}`, id);
            else if (decisions.includes(d)) err(`${at}.decisions.${i}`, `decision '${d}' is listed twice`, id);
            else decisions.push(d);
          });
        }
        if (isObj(s.next)) {
          const next = s.next;
          for (const d of decisions) if (!(d in next)) err(`${at}.next`, `no next step for decision '${d}'`, id);
          for (const [d, to] of Object.entries(next)) {
            if (Array.isArray(s.decisions) && !decisions.includes(d)) err(`${at}.next.${d}`, `next names decision '${d}', which is not in decisions`, id);
            transition(to, `${at}.next.${d}`, true);
          }
        } else transition(s.next, `${at}.next`, true);
        if (s.data !== undefined) {
          for (const p of schemaErrors(s.data, decisions)) {
            const path = p.path ? `${at}.data.${p.path}` : `${at}.data`;
            if (p.expression !== undefined) checkPaths(expressionPaths(p.expression), path, id, 'bound');
            else err(path, p.message, id);
          }
        }
        if (s.distinctFrom !== undefined) {
          if (typeof s.distinctFrom !== 'string' || !humanOutputs.has(s.distinctFrom)) {
            err(`${at}.distinctFrom`, `distinctFrom ${JSON.stringify(s.distinctFrom)} must name the output of a human_task step (${[...humanOutputs].join(', ') || 'none'})`, id);
          } else if (s.distinctFrom === s.output) err(`${at}.distinctFrom`, 'distinctFrom must name an earlier step, not this one', id);
        }
        break;
      }
      case 'wait_signal': {
        if (typeof s.signal !== 'string' || !SIGNAL_NAMES.includes(s.signal)) err(`${at}.signal`, `unknown signal ${JSON.stringify(s.signal)} (known: ${SIGNAL_NAMES.join(', ')})`, id);
        if (s.timeout === undefined) err(`${at}.timeout`, 'wait_signal step needs a timeout', id);
        else checkDuration(s.timeout, `${at}.timeout`, id, 'bad timeout');
        transition(s.next, `${at}.next`, true);
        transition(s.onTimeout, `${at}.onTimeout`, true);
        break;
      }
      case 'decision': {
        if (!Array.isArray(s.branches) || s.branches.length === 0) err(`${at}.branches`, 'decision step needs branches: a non-empty list of {when, next}', id);
        else {
          s.branches.forEach((b, i) => {
            if (!isObj(b)) return err(`${at}.branches.${i}`, 'a branch must be {when, next}', id);
            if (b.when === undefined) err(`${at}.branches.${i}.when`, 'branch needs a condition (when)', id);
            else checkExpr(b.when, `${at}.branches.${i}.when`, id, 'condition');
            transition(b.next, `${at}.branches.${i}.next`, true);
          });
        }
        transition(s.otherwise, `${at}.otherwise`, true);
        break;
      }
      case 'notify': {
        if (!isNonEmptyString(s.to)) err(`${at}.to`, "missing to ('user' or a skill group)", id);
        else if (s.to !== 'user' && !GROUPS.includes(s.to)) err(`${at}.to`, `notify target '${s.to}' is neither 'user' nor a skill group`, id);
        if (checkLocalized(s.message, `${at}.message`, id, err)) {
          for (const lang of ['zh', 'en'] as const) {
            const text = (s.message as Obj)[lang] as string;
            const t = inspectTemplate(text);
            for (const e of t.errors) err(`${at}.message.${lang}`, e, id);
            checkPaths(t.paths, `${at}.message.${lang}`, id, 'template');
          }
        }
        if (s.channels !== undefined) {
          if (!Array.isArray(s.channels)) err(`${at}.channels`, `channels must be a list of ${CHANNELS.join(', ')}`, id);
          else s.channels.forEach((c, i) => typeof c === 'string' && CHANNELS.includes(c) ? null : err(`${at}.channels.${i}`, `unknown channel ${JSON.stringify(c)} (known: ${CHANNELS.join(', ')})`, id));
        }
        transition(s.next, `${at}.next`, true);
        break;
      }
      case 'escalate': {
        if (!isNonEmptyString(s.to)) err(`${at}.to`, 'missing to (the skill group to hand the ticket to)', id);
        else if (!GROUPS.includes(s.to)) err(`${at}.to`, `escalation target '${s.to}' is not a skill group (${GROUPS.join(', ')})`, id);
        if (typeof s.level !== 'number' || !Number.isInteger(s.level) || s.level < 1) err(`${at}.level`, `level must be a whole number ≥ 1, got ${JSON.stringify(s.level)}`, id);
        if (!isNonEmptyString(s.reason)) err(`${at}.reason`, 'missing reason', id);
        transition(s.next, `${at}.next`, true);
        break;
      }
      case 'close': {
        if (!isNonEmptyString(s.resolution)) err(`${at}.resolution`, 'missing resolution (the code the ticket closes with)', id);
        if (s.data !== undefined) {
          if (!isObj(s.data)) err(`${at}.data`, 'data must be a map of field → expression', id);
          else for (const [k, expr] of Object.entries(s.data)) checkExpr(expr, `${at}.data.${k}`, id, `resolution data '${k}'`);
        }
        break;
      }
    }
  }

  // ---- graph ----
  if (startOk) {
    const reachable = new Set<string>([start as string]);
    const queue = [start as string];
    while (queue.length) for (const e of edges.get(queue.shift()!) ?? []) if (!reachable.has(e.to)) reachable.add(e.to), queue.push(e.to);
    for (const id of stepIds) if (!reachable.has(id)) err(`steps.${id}`, `step '${id}' is not reachable from start '${start as string}'`, id);

    const ends = [...reachable].filter((id) => kinds.get(id) === 'close');
    const unknownKinds = [...reachable].some((id) => isObj(steps[id]) && !kinds.has(id));
    if (ends.length === 0 && !unknownKinds) err('steps', `no close step is reachable from start '${start as string}': the procedure can never end`);
  }

  for (const [id, kind] of kinds) {
    const s = steps[id] as Obj;
    if (kind !== 'escalate' || !isNonEmptyString(s.to) || !GROUPS.includes(s.to) || !isNonEmptyString(s.next) || !stepIds.has(s.next)) continue;
    const problem = escalationDeadEnd(s.next, s.to, steps, edges, kinds);
    if (problem) err(`steps.${id}.next`, `escalation to ${s.to} leads nowhere: ${problem}; it must reach a human_task of ${s.to} (or a wait_signal it owns) before anything else waits or closes`, id);
  }

  for (const cycle of waitFreeCycles(stepIds, edges, kinds)) {
    const first = cycle[0]!;
    err(`steps.${first}`, `cycle ${[...cycle, first].join(' → ')} has no wait_signal or human_task step: it would loop forever without waiting`, first);
  }

  return errors.length ? { valid: false, errors } : { valid: true, errors, document: doc as unknown as SopDocument };
}

/**
 * The escalation rule: from the escalate step's `next`, every path through steps that do not wait
 * (action, decision, notify, including onError branches) must reach a human_task of the receiving
 * group, or a wait_signal that group owns, before any other waiting step or a close. A path reaching
 * another escalate step is handed on there (and that step is checked itself). An action without
 * onError fails into the interpreter's supervisor hand-off, which is a human step too.
 * Returns what is wrong, or null.
 */
function escalationDeadEnd(first: string, group: string, steps: Obj, edges: Map<string, Edge[]>, kinds: Map<string, string>): string | null {
  const seen = new Set<string>();
  const queue = [first];
  while (queue.length) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const s = steps[id] as Obj;
    const kind = kinds.get(id);
    if (kind === undefined || kind === 'escalate') continue;
    if (kind === 'human_task') {
      if (s.group === group) continue;
      return `step '${id}' waits for ${String(s.group)} first`;
    }
    if (kind === 'wait_signal') {
      if (s.owner === group) continue;
      return `step '${id}' waits for the signal ${String(s.signal)} of ${String(s.owner)} first`;
    }
    if (kind === 'close') return `step '${id}' closes the ticket first`;
    for (const e of edges.get(id) ?? []) queue.push(e.to);
  }
  return null;
}

function checkLocalized(v: unknown, path: string, step: string | undefined, err: (path: string, message: string, step?: string) => void): boolean {
  if (!isObj(v)) {
    err(path, `missing ${path.split('.').pop()}: {zh, en}`, step);
    return false;
  }
  let ok = true;
  for (const lang of ['zh', 'en']) {
    if (!isNonEmptyString(v[lang])) {
      err(`${path}.${lang}`, `missing ${lang} text`, step);
      ok = false;
    }
  }
  // an unquoted comma in a one-line YAML map ({ zh: a, b, en: c, d }) silently adds keys: say so
  for (const key of Object.keys(v)) {
    if (key !== 'zh' && key !== 'en') {
      err(`${path}.${key}`, `unexpected key "${key}" in a {zh, en} text (quote texts that contain commas)`, step);
      ok = false;
    }
  }
  return ok;
}

/** Why a context path cannot exist, or null. */
function contextPathError(path: string, policy: Obj, outputs: Set<string>): string | null {
  const [root, field] = path.split('.');
  if (root === 'ticket') return field === undefined || (TICKET_FIELDS as readonly string[]).includes(field) ? null : `the ticket has no field '${field}' (fields: ${TICKET_FIELDS.join(', ')})`;
  if (root === 'policy') return field === undefined || Object.prototype.hasOwnProperty.call(policy, field) ? null : `the policy has no value '${field}'`;
  if (root === 'counters') return field === undefined || (COUNTER_FIELDS as readonly string[]).includes(field) ? null : `counters has no field '${field}' (fields: ${COUNTER_FIELDS.join(', ')})`;
  if (root === 'lastSolution' || root === 'handoff' || root === 'handoffDecision') return null;
  if (root !== undefined && outputs.has(root)) return null;
  return `'${root}' is neither ticket, policy, counters, lastSolution nor the output of a step`;
}

/** Cycles made only of steps that do not wait: the graph without wait steps, its strongly connected components of more than one step or with a self-loop. */
function waitFreeCycles(ids: Set<string>, edges: Map<string, Edge[]>, kinds: Map<string, string>): string[][] {
  const nodes = [...ids].filter((id) => kinds.has(id) && !WAIT_KINDS.has(kinds.get(id)!));
  const inGraph = new Set(nodes);
  const succ = (id: string) => (edges.get(id) ?? []).map((e) => e.to).filter((t) => inGraph.has(t));
  // Tarjan
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of succ(v)) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || succ(v).includes(v)) out.push(orderCycle(comp.sort((a, b) => nodes.indexOf(a) - nodes.indexOf(b)), succ));
    }
  };
  for (const v of nodes) if (!idx.has(v)) visit(v);
  return out;
}

/** A readable cycle inside a component: from its first step in document order, following edges within the component. */
function orderCycle(comp: string[], succ: (id: string) => string[]): string[] {
  const inComp = new Set(comp);
  const startId = comp[0]!;
  // breadth-first search for the shortest way back to startId
  const prev = new Map<string, string>();
  const queue = [startId];
  const seen = new Set([startId]);
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of succ(v)) {
      if (!inComp.has(w)) continue;
      if (w === startId) {
        const path = [v];
        let c = v;
        while (c !== startId) path.push((c = prev.get(c)!));
        return path.reverse();
      }
      if (!seen.has(w)) seen.add(w), prev.set(w, v), queue.push(w);
    }
  }
  return [startId];
}
