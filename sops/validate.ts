// Validation of SOP documents: every problem at once, each with its step and JSON path.
// Pure (no Node APIs): used by the API on publish (which the designer calls) and by the loader of the defaults.
// The checks live in sops/validate/: document.ts (type, names, policy, start), steps.ts and step-kinds.ts
// (each step's fields), context.ts (what expressions may read), graph.ts (reachability, hand-offs, cycles).
import { STEP_KINDS, type SopDocument, type SopValidationError } from './types';
import { isObj } from './validate/common';
import { contextChecks, stepOutputs } from './validate/context';
import { checkDocument } from './validate/document';
import { checkGraph } from './validate/graph';
import { checkSteps } from './validate/steps';

export { STEP_KINDS };
export { RESERVED_CONTEXT_KEYS, TICKET_FIELDS, COUNTER_FIELDS } from './validate/context';

export interface SopValidationResult {
  valid: boolean;
  errors: SopValidationError[];
  document?: SopDocument;
}

export function validateSop(doc: unknown): SopValidationResult {
  const errors: SopValidationError[] = [];
  const err = (path: string, message: string, step?: string) => void errors.push(step === undefined ? { path, message } : { step, path, message });

  if (!isObj(doc)) {
    err('', `an SOP document must be an object, got ${doc === null ? 'null' : Array.isArray(doc) ? 'an array' : typeof doc}`);
    return { valid: false, errors };
  }

  const { policy, steps, stepIds, start } = checkDocument(doc, err);
  const { outputs, humanOutputs } = stepOutputs(steps);
  const graph = checkSteps(steps, stepIds, humanOutputs, contextChecks(policy, outputs, err), err);
  checkGraph(steps, stepIds, start, graph, err);

  return errors.length ? { valid: false, errors } : { valid: true, errors, document: doc as unknown as SopDocument };
}
