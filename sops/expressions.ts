// JSON Logic expressions and {{path}} templates over the ticket context.
// Pure and deterministic (no Date, no randomness, no I/O): imported by Temporal workflow code.
import jsonLogic from 'json-logic-js';

/** Arity of each allowed operator: [min, max] number of arguments (a non-array argument counts as one). */
const OPERATORS: Record<string, [number, number]> = {
  var: [0, 2],
  missing: [0, Infinity],
  missing_some: [2, 2],
  if: [2, Infinity],
  '==': [2, 2],
  '===': [2, 2],
  '!=': [2, 2],
  '!==': [2, 2],
  '!': [1, 1],
  '!!': [1, 1],
  or: [1, Infinity],
  and: [1, Infinity],
  '>': [2, 2],
  '>=': [2, 2],
  '<': [2, 3],
  '<=': [2, 3],
  max: [1, Infinity],
  min: [1, Infinity],
  '+': [1, Infinity],
  '-': [1, 2],
  '*': [1, Infinity],
  '/': [2, 2],
  '%': [2, 2],
  in: [2, 2],
  cat: [0, Infinity],
  substr: [2, 3],
  merge: [0, Infinity],
  map: [2, 2],
  filter: [2, 2],
  reduce: [2, 3],
  all: [2, 2],
  none: [2, 2],
  some: [2, 2],
};

/** The JSON Logic operators an SOP may use (json-logic-js's `log` is left out: it writes to the console). */
export const ALLOWED_OPERATORS: readonly string[] = Object.keys(OPERATORS);

/** Operators whose second argument is evaluated per array element, not over the ticket context. */
const SCOPED = new Set(['map', 'filter', 'all', 'none', 'some', 'reduce']);

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function check(expr: unknown, at: string): string | null {
  if (expr === null || typeof expr === 'string' || typeof expr === 'boolean') return null;
  if (typeof expr === 'number') return Number.isFinite(expr) ? null : `${at}: ${expr} is not a JSON number`;
  if (expr === undefined) return `${at}: missing expression`;
  if (Array.isArray(expr)) {
    for (let i = 0; i < expr.length; i++) {
      const err = check(expr[i], `${at}[${i}]`);
      if (err) return err;
    }
    return null;
  }
  if (!isPlainObject(expr)) return `${at}: ${typeof expr} is not a JSON value`;
  const keys = Object.keys(expr);
  if (keys.length !== 1) {
    return `${at}: an expression object must have exactly one key, the operator (got ${keys.length ? keys.map((k) => `'${k}'`).join(', ') : 'none'}); JSON Logic cannot build objects`;
  }
  const op = keys[0]!;
  const arity = OPERATORS[op];
  if (!arity) return `${at}: unknown operator '${op}' (allowed: ${ALLOWED_OPERATORS.join(' ')})`;
  const raw = expr[op];
  const args = Array.isArray(raw) ? raw : [raw];
  const [min, max] = arity;
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    return `${at}: operator '${op}' takes ${want} argument${want === '1' ? '' : 's'}, got ${args.length}`;
  }
  if (op === 'var' && args.length > 0) {
    const path = args[0];
    if (!(path === null || typeof path === 'string' || typeof path === 'number' || isPlainObject(path))) {
      return `${at}: 'var' needs a path string, got ${JSON.stringify(path)}`;
    }
  }
  for (let i = 0; i < args.length; i++) {
    const err = check(args[i], `${at}.${op}[${i}]`);
    if (err) return err;
  }
  return null;
}

/** null when the expression is well-formed JSON Logic using only the allowed operators; otherwise what is wrong. */
export function checkExpression(expr: unknown): string | null {
  const err = check(expr, 'expression');
  return err && err.startsWith('expression: ') ? err.slice('expression: '.length) : err;
}

/** Evaluates an expression over the context. Throws on an expression checkExpression rejects. */
export function evaluate(expr: unknown, context: Record<string, unknown>): unknown {
  const err = checkExpression(expr);
  if (err) throw new Error(`invalid expression ${JSON.stringify(expr)}: ${err}`);
  return jsonLogic.apply(expr as jsonLogic.RulesLogic, context);
}

/** JSON Logic truthiness (an empty array is false), for decision branches. */
export function isTruthy(value: unknown): boolean {
  return jsonLogic.truthy(value);
}

/**
 * The context paths an expression reads with `var` over the ticket context (literal paths only;
 * paths inside map/filter/all/none/some/reduce bodies read the array element and are left out).
 */
export function expressionPaths(expr: unknown): string[] {
  const out: string[] = [];
  const walk = (e: unknown) => {
    if (Array.isArray(e)) return e.forEach(walk);
    if (!isPlainObject(e)) return;
    const keys = Object.keys(e);
    if (keys.length !== 1) return;
    const op = keys[0]!;
    const raw = e[op];
    const args = Array.isArray(raw) ? raw : [raw];
    if (op === 'var') {
      if (typeof args[0] === 'string' && args[0] !== '') out.push(args[0]);
      else if (isPlainObject(args[0])) walk(args[0]);
      args.slice(1).forEach(walk);
      return;
    }
    if (SCOPED.has(op)) {
      walk(args[0]);
      if (op === 'reduce') walk(args[2]);
      return;
    }
    args.forEach(walk);
  };
  walk(expr);
  return out;
}

// ---- templates ------------------------------------------------------------------------------

const TEMPLATE = /\{\{\s*([^{}|]*?)\s*(?:\|\s*([A-Za-z_]\w*)\s*)?\}\}/g;

/** Filters a template may apply: {{path | yuan}} renders fen as ¥12.34, {{path | hours}} milliseconds as hours (48, 0.5). */
export const TEMPLATE_FILTERS: Record<string, (value: unknown) => string> = {
  yuan: (v) => (typeof v === 'number' && Number.isFinite(v) ? `¥${(v / 100).toFixed(2)}` : ''),
  hours: (v) => (typeof v === 'number' && Number.isFinite(v) ? String(Math.round(v / 360_000) / 10) : ''),
  json: (v) => (v === undefined ? '' : JSON.stringify(v)),
};

/** The value at a dotted path (own properties only); undefined when any part is missing. */
export function valueAt(context: unknown, path: string): unknown {
  if (path === '') return context;
  let cur: unknown = context;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Replaces each {{a.b.c}} (optionally {{a.b.c | filter}}) with the value at that path: strings and numbers as is, objects as JSON, missing as ''. */
export function renderTemplate(text: string, context: Record<string, unknown>): string {
  return text.replace(TEMPLATE, (_m, path: string, filter: string | undefined) => {
    const value = valueAt(context, path);
    const f = filter ? TEMPLATE_FILTERS[filter] : undefined;
    return f ? f(value) : show(value);
  });
}

/** The paths and filters a template uses, and syntax problems (unknown filter, unclosed braces). */
export function inspectTemplate(text: string): { paths: string[]; errors: string[] } {
  const paths: string[] = [];
  const errors: string[] = [];
  for (const m of text.matchAll(TEMPLATE)) {
    const path = m[1]!;
    if (path === '' || !/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/.test(path)) errors.push(`template placeholder '${m[0]}' is not a dotted path`);
    else paths.push(path);
    if (m[2] && !TEMPLATE_FILTERS[m[2]]) errors.push(`template placeholder '${m[0]}' uses unknown filter '${m[2]}' (known: ${Object.keys(TEMPLATE_FILTERS).join(', ')})`);
  }
  const rest = text.replace(TEMPLATE, '');
  if (rest.includes('{{') || rest.includes('}}')) errors.push('template has an unmatched {{ or }}');
  return { paths, errors };
}
