/**
 * Out-of-scope gate (issue 22): greetings, chit-chat, junk, other languages and injection strings go to triage
 * instead of being forced into the nearest complaint label. A message is in scope when it names a concept of the
 * lexicon (config/concepts.yaml) or a word of the service's world (config/scope.yaml `domain`), a rule fires on it, or the model is at least `scopeConfidence` sure of a complaint
 * label (not for Latin-script text without a single English function word); injection strings (config/scope.yaml)
 * are always out of scope. The safety detector still runs afterwards.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_DIR } from './config';
import { hasConcept } from './features';

let patterns: { injection: RegExp; domain: RegExp } | undefined;
function scopePatterns(): { injection: RegExp; domain: RegExp } {
  if (patterns) return patterns;
  const raw = parse(readFileSync(join(CONFIG_DIR, 'scope.yaml'), 'utf8')) as { injection: string[]; domain: string[] };
  return (patterns = { injection: new RegExp(raw.injection.join('|'), 'i'), domain: new RegExp(raw.domain.join('|'), 'i') });
}

/** Is this NORMALISED text an attempt to instruct the system (prompt injection, markup, SQL, template strings)? */
export function isInjection(norm: string): boolean {
  return scopePatterns().injection.test(norm);
}

/** English function words: a Latin-only message of three words or more without any is not English (French, German, junk). */
const ENGLISH_FUNCTION_WORDS = new Set(('a an the i me my we our us you your he him his she her it its they them their this that these those ' +
  'is am are was were be been being do does did have has had will would can could should must not no yes and or but so if then ' +
  'to of in on at by for with from about as up down out off over into than too very just still even also only all any some ' +
  'what when where why how who which there here pls please thanks thank ok hi hello hey').split(' '));
export function looksForeign(norm: string): boolean {
  if (/[\u3400-\u9fff]/.test(norm)) return false;
  const words = norm.match(/[a-z\u00c0-\u024f]+/gi) ?? [];
  return words.length >= 3 && !words.some((w) => ENGLISH_FUNCTION_WORDS.has(w.toLowerCase()));
}

export type ScopeVerdict = 'in_scope' | 'injection' | 'no_complaint';

/**
 * `ruleFired`: a rule of rules.yaml fired on the whole message; `complaintConfidence`: the model's probability of its
 * best label when that label is a complaint (0 when it is the fallback label).
 */
export function scopeOf(norm: string, ruleFired: boolean, complaintConfidence: number, scopeConfidence: number): ScopeVerdict {
  if (isInjection(norm)) return 'injection';
  if (ruleFired || hasConcept(norm) || scopePatterns().domain.test(norm)) return 'in_scope';
  // the model's character n-grams find complaints in any Latin-script language: its word alone is not enough there
  if (complaintConfidence >= scopeConfidence && !looksForeign(norm)) return 'in_scope';
  return 'no_complaint';
}
