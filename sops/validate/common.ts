// Shared pieces of SOP validation: the error sink, type guards, identifier rules and {zh, en} texts.
import { SKILL_GROUPS } from '../actions';
import { FORBIDDEN_NAMES, SIGNALS } from '../types';

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/** Records one problem: its JSON path, message and (for step problems) the step id. */
export type Report = (path: string, message: string, step?: string) => void;

/** One transition of the step graph, with the path of the field that names it. */
export interface Edge {
  to: string;
  path: string;
}

export const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const GROUPS: readonly string[] = SKILL_GROUPS;
export const SIGNAL_NAMES: readonly string[] = SIGNALS;
export const FORBIDDEN: readonly string[] = FORBIDDEN_NAMES;

/** Checks a {zh, en} text; true when both are present and nothing else is. */
export function checkLocalized(v: unknown, path: string, step: string | undefined, err: Report): boolean {
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
