// Step checks: each step's kind and common fields (name, owner, sla, onBreach, output), then the fields of
// its kind (step-kinds.ts). Collects the step graph (its transitions) and each step's kind on the way.
import { STEP_KINDS } from '../types';
import { checkLocalized, FORBIDDEN, GROUPS, IDENT, isNonEmptyString, isObj, type Edge, type Obj, type Report } from './common';
import { RESERVED_CONTEXT_KEYS, type ContextChecks } from './context';
import { checkKindFields, type Transition } from './step-kinds';

/** Step kinds on which `sla` bounds something (an action's attempts, a human_task's wait); elsewhere it is refused. */
const SLA_KINDS = new Set<string>(['action', 'human_task']);
const BREACH_ACTIONS = ['escalate', 'notify', 'continue'];

export interface StepGraph {
  edges: Map<string, Edge[]>;
  /** the kind of every step whose kind is known */
  kinds: Map<string, string>;
}

export function checkSteps(steps: Obj, stepIds: Set<string>, humanOutputs: Set<string>, checks: ContextChecks, err: Report): StepGraph {
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
    const transition: Transition = (value, path, required) => {
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
    checkCommonFields(s, kind, id, at, transition, checks, err);
    checkKindFields(s, kind, id, at, { transition, checks, humanOutputs, err });
  }
  return { edges, kinds };
}

/** The fields every kind may have. */
function checkCommonFields(s: Obj, kind: string, id: string, at: string, transition: Transition, checks: ContextChecks, err: Report): void {
  if (s.name !== undefined) checkLocalized(s.name, `${at}.name`, id, err);
  if (!isNonEmptyString(s.owner)) err(`${at}.owner`, "missing owner (a skill group, 'system' or 'user')", id);
  else if (s.owner !== 'system' && s.owner !== 'user' && !GROUPS.includes(s.owner)) err(`${at}.owner`, `owner '${s.owner}' is not a skill group (${GROUPS.join(', ')}), 'system' or 'user'`, id);
  if (s.sla !== undefined) {
    if (!SLA_KINDS.has(kind)) err(`${at}.sla`, kind === 'wait_signal' ? 'a wait_signal step is bounded by its timeout: remove sla' : `sla has no effect on a ${kind} step: remove it`, id);
    else checks.checkDuration(s.sla, `${at}.sla`, id, 'bad sla');
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
}
