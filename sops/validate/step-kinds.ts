// The fields of each step kind: an action's inputs, a human_task's decisions and typed decision data,
// a wait_signal's signal and timeout, a decision's branches, a notify's message, an escalation, a close.
import { ACTIONS } from '../actions';
import { SILENCE_ACTIONS } from '../types';
import { schemaErrors } from '../decision-data';
import { expressionPaths, inspectTemplate } from '../expressions';
import { checkLocalized, FORBIDDEN, GROUPS, IDENT, isNonEmptyString, isObj, SIGNAL_NAMES, type Obj, type Report } from './common';
import type { ContextChecks } from './context';

const CHANNELS = ['in_app', 'sms', 'email'];

/** Checks one transition field and adds it to the step's edges. */
export type Transition = (value: unknown, path: string, required: boolean) => void;

export interface KindCheckTools {
  transition: Transition;
  checks: ContextChecks;
  /** outputs of human_task steps (what distinctFrom may name) */
  humanOutputs: Set<string>;
  err: Report;
}

export function checkKindFields(s: Obj, kind: string, id: string, at: string, tools: KindCheckTools): void {
  const { transition, err } = tools;
  const { checkExpr, checkDuration } = tools.checks;
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
    case 'human_task':
      checkHumanTask(s, id, at, tools);
      break;
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
          tools.checks.checkPaths(t.paths, `${at}.message.${lang}`, id, 'template');
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

/** A human_task: its queue, task text, decisions and their next steps, typed decision data (decision-data.ts), second-person approval. */
function checkHumanTask(s: Obj, id: string, at: string, { transition, checks, humanOutputs, err }: KindCheckTools): void {
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
      if (p.expression !== undefined) checks.checkPaths(expressionPaths(p.expression), path, id, 'bound');
      else err(path, p.message, id);
    }
  }
  if (s.silence !== undefined) checkSilence(s.silence, `${at}.silence`, id, checks, err);
  if (s.distinctFrom !== undefined) {
    if (typeof s.distinctFrom !== 'string' || !humanOutputs.has(s.distinctFrom)) {
      err(`${at}.distinctFrom`, `distinctFrom ${JSON.stringify(s.distinctFrom)} must name the output of a human_task step (${[...humanOutputs].join(', ') || 'none'})`, id);
    } else if (s.distinctFrom === s.output) err(`${at}.distinctFrom`, 'distinctFrom must name an earlier step, not this one', id);
  }
}

/** A human_task's own silence rule: `{after: <duration or $policy>, action: remind | reassign | notify_supervisor}`. */
function checkSilence(rule: unknown, at: string, id: string, checks: ContextChecks, err: Report): void {
  if (!isObj(rule)) return err(at, `silence must be {after: <duration>, action: ${SILENCE_ACTIONS.join(' | ')}}`, id);
  for (const key of Object.keys(rule)) if (key !== 'after' && key !== 'action') err(`${at}.${key}`, `unknown silence key '${key}' (known: after, action)`, id);
  if (rule.after === undefined) err(`${at}.after`, 'silence needs after (a duration, e.g. 30m or $silenceAfter)', id);
  else checks.checkDuration(rule.after, `${at}.after`, id, 'bad silence.after');
  if (typeof rule.action !== 'string' || !(SILENCE_ACTIONS as readonly string[]).includes(rule.action)) err(`${at}.action`, `silence action ${JSON.stringify(rule.action)} must be one of ${SILENCE_ACTIONS.join(', ')}`, id);
}
