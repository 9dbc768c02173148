// What expressions and templates may read: the context the interpreter provides, and the checks of
// expressions, templates' paths and durations against it (the policy and the step outputs of this document).
import { durationError } from '../duration';
import { checkExpression, expressionPaths } from '../expressions';
import { isObj, type Obj, type Report } from './common';

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

/** Why a context path cannot exist, or null. */
export function contextPathError(path: string, policy: Obj, outputs: Set<string>): string | null {
  const [root, field] = path.split('.');
  if (root === 'ticket') return field === undefined || (TICKET_FIELDS as readonly string[]).includes(field) ? null : `the ticket has no field '${field}' (fields: ${TICKET_FIELDS.join(', ')})`;
  if (root === 'policy') return field === undefined || Object.prototype.hasOwnProperty.call(policy, field) ? null : `the policy has no value '${field}'`;
  if (root === 'counters') return field === undefined || (COUNTER_FIELDS as readonly string[]).includes(field) ? null : `counters has no field '${field}' (fields: ${COUNTER_FIELDS.join(', ')})`;
  if (root === 'lastSolution' || root === 'handoff' || root === 'handoffDecision') return null;
  if (root !== undefined && outputs.has(root)) return null;
  return `'${root}' is neither ticket, policy, counters, lastSolution nor the output of a step`;
}

/** The context roots an expression or template may read: every step's output (and those of human_task steps apart). */
export function stepOutputs(steps: Obj): { outputs: Set<string>; humanOutputs: Set<string> } {
  const outputs = new Set<string>();
  const humanOutputs = new Set<string>();
  for (const s of Object.values(steps)) {
    if (isObj(s) && typeof s.output === 'string') {
      outputs.add(s.output);
      if (s.kind === 'human_task') humanOutputs.add(s.output);
    }
  }
  return { outputs, humanOutputs };
}

export interface ContextChecks {
  checkPaths(paths: string[], path: string, step: string, what: string): void;
  checkExpr(expr: unknown, path: string, step: string, what: string): void;
  checkDuration(d: unknown, path: string, step: string, what: string): void;
}

export function contextChecks(policy: Obj, outputs: Set<string>, err: Report): ContextChecks {
  const checkPaths = (paths: string[], path: string, step: string, what: string) => {
    for (const p of paths) {
      const problem = contextPathError(p, policy, outputs);
      if (problem) err(path, `${what} reads '${p}': ${problem}`, step);
    }
  };
  return {
    checkPaths,
    checkExpr: (expr, path, step, what) => {
      const problem = checkExpression(expr);
      if (problem) err(path, `${what} does not parse: ${problem}`, step);
      else checkPaths(expressionPaths(expr), path, step, what);
    },
    checkDuration: (d, path, step, what) => {
      const problem = durationError(d, policy);
      if (problem) err(path, `${what}: ${problem}`, step);
    },
  };
}
