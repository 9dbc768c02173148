// Typed decision data: the schema a human_task declares for each decision's data, checked when the
// SOP is published (schemaErrors) and when an agent decides (decisionDataError, in the update validator).
// Pure and deterministic: imported by workflow code.
import { checkExpression, evaluate } from './expressions';
import { FORBIDDEN_NAMES, type DataField, type DecisionDataSchema } from './types';

export const DATA_TYPES = ['integer', 'number', 'string', 'boolean'] as const;
const FIELD_KEYS = ['type', 'required', 'min', 'max', 'enum', 'minLength', 'maxLength'];
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isForbidden = (name: string) => (FORBIDDEN_NAMES as readonly string[]).includes(name);

export interface SchemaProblem {
  path: string;
  message: string;
  /** bounds that are expressions, for the caller to check the context paths they read */
  expression?: unknown;
}

/** Problems of a step's `data` schema; `decisions` are the step's decisions. Paths are relative to `data`. */
export function schemaErrors(data: unknown, decisions: string[]): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  if (!isObj(data)) return [{ path: '', message: 'data must be a map of decision → field → {type, required?, min?, max?, enum?, minLength?, maxLength?}' }];
  for (const [decision, fields] of Object.entries(data)) {
    if (!decisions.includes(decision)) out.push({ path: decision, message: `data names decision '${decision}', which is not in decisions` });
    if (!isObj(fields)) {
      out.push({ path: decision, message: `data.${decision} must be a map of field → schema` });
      continue;
    }
    for (const [name, field] of Object.entries(fields)) {
      const at = `${decision}.${name}`;
      if (!IDENT.test(name) || isForbidden(name)) out.push({ path: at, message: `data field name '${name}' must be an identifier other than ${FORBIDDEN_NAMES.join(', ')}` });
      if (!isObj(field)) {
        out.push({ path: at, message: `field '${name}' must be {type, …}` });
        continue;
      }
      for (const key of Object.keys(field)) if (!FIELD_KEYS.includes(key)) out.push({ path: `${at}.${key}`, message: `unknown schema key '${key}' (known: ${FIELD_KEYS.join(', ')})` });
      const type = field.type;
      if (typeof type !== 'string' || !(DATA_TYPES as readonly string[]).includes(type)) {
        out.push({ path: `${at}.type`, message: `type ${JSON.stringify(type)} must be one of ${DATA_TYPES.join(', ')}` });
        continue;
      }
      const numeric = type === 'integer' || type === 'number';
      if (field.required !== undefined && typeof field.required !== 'boolean') out.push({ path: `${at}.required`, message: 'required must be true or false' });
      for (const bound of ['min', 'max'] as const) {
        const v = field[bound];
        if (v === undefined) continue;
        if (!numeric) out.push({ path: `${at}.${bound}`, message: `${bound} applies to integer and number fields only` });
        else if (typeof v === 'number') {
          if (!Number.isFinite(v)) out.push({ path: `${at}.${bound}`, message: `${bound} must be a finite number` });
        } else {
          const problem = checkExpression(v);
          if (problem) out.push({ path: `${at}.${bound}`, message: `${bound} is neither a number nor a valid expression: ${problem}` });
          else out.push({ path: `${at}.${bound}`, message: '', expression: v });
        }
      }
      for (const bound of ['minLength', 'maxLength'] as const) {
        const v = field[bound];
        if (v === undefined) continue;
        if (type !== 'string') out.push({ path: `${at}.${bound}`, message: `${bound} applies to string fields only` });
        else if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) out.push({ path: `${at}.${bound}`, message: `${bound} must be a whole number ≥ 0` });
      }
      if (field.enum !== undefined) {
        const values = field.enum;
        if (!Array.isArray(values) || values.length === 0) out.push({ path: `${at}.enum`, message: 'enum must be a non-empty list of values' });
        else values.forEach((v, i) => {
          if (!fitsType(v, type as DataField['type'])) out.push({ path: `${at}.enum.${i}`, message: `enum value ${JSON.stringify(v)} is not of type ${type}` });
        });
      }
    }
  }
  return out;
}

function fitsType(v: unknown, type: DataField['type']): boolean {
  switch (type) {
    case 'integer':
      return typeof v === 'number' && Number.isSafeInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
  }
}

function bound(value: number | unknown, context: Record<string, unknown>): number | null {
  const v = typeof value === 'number' ? value : evaluate(value, context);
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * Why `data` does not fit the schema of `decision`, naming the field; null when it fits.
 * Without a schema (documents published before schemas existed) anything is accepted.
 */
export function decisionDataError(schema: DecisionDataSchema | undefined, decision: string, data: unknown, context: Record<string, unknown>): string | null {
  if (schema === undefined) return null;
  if (data !== undefined && data !== null && !isObj(data)) return 'data must be an object';
  const given: Obj = isObj(data) ? data : {};
  const fields = Object.prototype.hasOwnProperty.call(schema, decision) ? schema[decision]! : {};
  const known = Object.keys(fields);
  for (const name of Object.keys(given)) {
    if (!Object.prototype.hasOwnProperty.call(fields, name)) {
      return `data.${name}: decision '${decision}' takes ${known.length ? `only ${known.join(', ')}` : 'no data'}`;
    }
  }
  for (const [name, field] of Object.entries(fields)) {
    const value = given[name];
    if (value === undefined || value === null) {
      if (field.required === false) continue;
      return `data.${name} is required for decision '${decision}'`;
    }
    if (!fitsType(value, field.type)) return `data.${name} must be ${field.type === 'integer' ? 'an integer' : `a ${field.type}`}, got ${JSON.stringify(value)}`;
    if (typeof value === 'number') {
      for (const which of ['min', 'max'] as const) {
        if (field[which] === undefined) continue;
        const limit = bound(field[which], context);
        if (limit === null) return `data.${name}: its ${which} cannot be computed for this ticket (the SOP's ${which} expression gives no number)`;
        if (which === 'min' && value < limit) return `data.${name} must be ≥ ${limit}, got ${value}`;
        if (which === 'max' && value > limit) return `data.${name} must be ≤ ${limit}, got ${value}`;
      }
    }
    if (typeof value === 'string') {
      if (field.minLength !== undefined && value.length < field.minLength) return `data.${name} must have at least ${field.minLength} characters`;
      if (field.maxLength !== undefined && value.length > field.maxLength) return `data.${name} must have at most ${field.maxLength} characters`;
    }
    if (field.enum && !field.enum.includes(value as string | number | boolean)) return `data.${name} must be one of ${field.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return null;
}

/**
 * A JSON copy of a message payload with only own, safe keys: no `__proto__`, `constructor` or
 * `prototype` at any depth, so nothing an update carries can reach Object.prototype through the context.
 */
export function safeCopy(value: unknown, depth = 0): unknown {
  if (depth > 20) return null;
  if (Array.isArray(value)) return value.map((v) => safeCopy(v, depth + 1));
  if (value === null || typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint' ? undefined : value;
  const out: Obj = Object.create(null) as Obj;
  for (const key of Object.keys(value)) {
    if (isForbidden(key)) continue;
    const v = safeCopy((value as Obj)[key], depth + 1);
    if (v !== undefined) out[key] = v;
  }
  // a plain object again (json-logic and JSON.stringify expect one), built from safe own keys only
  return Object.assign({}, out);
}
