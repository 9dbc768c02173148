// Document-level checks: type, names, appliesTo labels, policy values, the steps map and the start step.
import { checkLocalized, FORBIDDEN, IDENT, isNonEmptyString, isObj, type Obj, type Report } from './common';

const APPLIES_TO = /^[a-z0-9_]+\/([a-z0-9_]+|\*)$/;
/** a knowledge-base pairId, e.g. fee-dispute-limits */
const PAIR_ID = /^[a-z0-9][a-z0-9_.-]*$/;

export interface DocumentParts {
  policy: Obj;
  steps: Obj;
  stepIds: Set<string>;
  /** the start step's id when it names an existing step */
  start: string | undefined;
}

export function checkDocument(doc: Obj, err: Report): DocumentParts {
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
  checkPolicyFrom(doc.policyFrom, policy, err);
  const steps: Obj = isObj(doc.steps) ? doc.steps : {};
  if (!isObj(doc.steps) || Object.keys(doc.steps).length === 0) err('steps', 'missing steps: a non-empty map of step id → step');
  const stepIds = new Set(Object.keys(steps));
  for (const id of stepIds) if (FORBIDDEN.includes(id)) err(`steps.${id}`, `step id '${id}' is reserved (${FORBIDDEN.join(', ')} would reach Object.prototype)`, id);
  const start = doc.start;
  let startOk: string | undefined;
  if (!isNonEmptyString(start)) err('start', 'missing start (the id of the first step)');
  else if (!stepIds.has(start)) err('start', `start step '${start}' does not exist`);
  else startOk = start;
  return { policy, steps, stepIds, start: startOk };
}

/** `policyFrom: { name: { article, key? } }`: each bound value names a policy value (its fallback) and a rate table. */
function checkPolicyFrom(from: unknown, policy: Obj, err: Report): void {
  if (from === undefined) return;
  if (!isObj(from)) return err('policyFrom', 'policyFrom must be a map of policy name → {article, key?}');
  for (const [name, source] of Object.entries(from)) {
    const path = `policyFrom.${name}`;
    if (!Object.prototype.hasOwnProperty.call(policy, name)) err(path, `policyFrom binds '${name}', which the policy does not have (the policy's value is the fallback without a table)`);
    if (!isObj(source)) {
      err(path, `policyFrom.${name} must be {article, key?}`);
      continue;
    }
    if (typeof source.article !== 'string' || !PAIR_ID.test(source.article)) err(`${path}.article`, `policyFrom.${name}.article must be a rate table's pairId (e.g. fee-dispute-limits)`);
    if (source.key !== undefined && !isNonEmptyString(source.key)) err(`${path}.key`, `policyFrom.${name}.key must be a key of the table's rates block`);
    for (const extra of Object.keys(source)) if (extra !== 'article' && extra !== 'key') err(`${path}.${extra}`, `policyFrom.${name} takes only article and key`);
  }
}
