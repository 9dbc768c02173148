/**
 * Out-of-scope gate (issue 22): greetings, chit-chat, junk, other languages and injection strings go to triage
 * instead of being forced into the nearest complaint label. A message is in scope when it names a concept of the
 * lexicon (config/concepts.yaml) or a word of the service's world (config/scope.yaml `domain`), a rule fires on it, or the model is at least `scopeConfidence` sure of a complaint
 * label; injection strings (config/scope.yaml) are always out of scope. The safety detector still runs afterwards.
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

export type ScopeVerdict = 'in_scope' | 'injection' | 'no_complaint';

/**
 * `ruleFired`: a rule of rules.yaml fired on the whole message; `complaintConfidence`: the model's probability of its
 * best label when that label is a complaint (0 when it is the fallback label).
 */
export function scopeOf(norm: string, ruleFired: boolean, complaintConfidence: number, scopeConfidence: number): ScopeVerdict {
  if (isInjection(norm)) return 'injection';
  if (ruleFired || hasConcept(norm) || scopePatterns().domain.test(norm) || complaintConfidence >= scopeConfidence) return 'in_scope';
  return 'no_complaint';
}
