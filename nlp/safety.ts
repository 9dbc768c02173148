/**
 * Safety detector (issue 22): a second, high-recall reader that runs after classification on every clause and on
 * the whole message. It can only add safety: when the message reports a threat, violence, a dangerous act, an injury,
 * harassment or an accident and no issue is a safety incident yet, the issues whose every clause reports it are read
 * as safety (the same words: "a threat read as a rude driver"), otherwise a safety issue is added for those clauses.
 * Cues: the patterns of nlp/config/safety.yaml and the model's summed safety_incident/* probability.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_DIR } from './config';

export const SAFETY_CATEGORY = 'safety_incident';
/** the detector's cue kinds → taxonomy subtype (violence against a person is a personal-harm incident) */
const SUBTYPE: Record<string, string> = { threat: 'threat', violence: 'injury', injury: 'injury', accident: 'accident', harassment: 'harassment' };

interface Cue { kind: string; pattern: RegExp; unless?: RegExp }
export interface SafetyConfig { modelThreshold: number; cues: Cue[] }

/** YAML folds long patterns over lines with a space after each `|`: that space is not part of the pattern. */
const compile = (src: string | undefined) => (src ? new RegExp(src.replace(/\|\s+/g, '|').trim(), 'i') : undefined);

let config: SafetyConfig | undefined;
export function loadSafetyConfig(): SafetyConfig {
  if (config) return config;
  const raw = parse(readFileSync(join(CONFIG_DIR, 'safety.yaml'), 'utf8')) as {
    modelThreshold: number;
    cues: Record<string, { zh?: string; en?: string; unless?: { zh?: string; en?: string } }>;
  };
  const cues: Cue[] = [];
  for (const [kind, c] of Object.entries(raw.cues)) {
    if (!SUBTYPE[kind]) throw new Error(`safety.yaml: unknown cue kind ${kind} (one of ${Object.keys(SUBTYPE).join(', ')})`);
    const unless = compile([c.unless?.zh, c.unless?.en].filter(Boolean).join('|') || undefined);
    for (const src of [c.zh, c.en]) { const pattern = compile(src); if (pattern) cues.push({ kind, pattern, unless }); }
  }
  return (config = { modelThreshold: raw.modelThreshold, cues });
}

/** The safety subtype a NORMALISED span reports by the patterns, or undefined (memoised for the last few spans:
 * one classification asks about the same clause and whole message several times). */
export function safetyCue(norm: string): string | undefined {
  if (cueMemo.has(norm)) return cueMemo.get(norm);
  let found: string | undefined;
  for (const c of loadSafetyConfig().cues) {
    if (c.pattern.test(norm) && !(c.unless && c.unless.test(norm))) { found = SUBTYPE[c.kind]; break; }
  }
  if (cueMemo.size >= 32) cueMemo.delete(cueMemo.keys().next().value!);
  cueMemo.set(norm, found);
  return found;
}
const cueMemo = new Map<string, string | undefined>();

/**
 * Does a NORMALISED span say outright that it is NOT a safety report ("I threatened to leave a bad review", "he wasn't
 * threatening")? Then the model's word alone (its summed safety probability) does not make it one either.
 */
export function safetyVetoed(norm: string): boolean {
  return loadSafetyConfig().cues.some((c) => c.unless?.test(norm));
}

export interface SafetyReading { subtype: string; confidence: number }

/**
 * Does this NORMALISED span report a safety incident? `safetyProb` is the model's summed probability of
 * safety_incident/* on the span and `bestSafety` its most likely safety subtype; `useModel` only for whole messages.
 */
export function readSafety(norm: string, safetyProb: number, bestSafety: string, useModel: boolean): SafetyReading | undefined {
  const cue = safetyCue(norm);
  if (cue) return { subtype: cue, confidence: Math.max(0.9, safetyProb) };
  if (useModel && safetyProb >= loadSafetyConfig().modelThreshold && !safetyVetoed(norm)) return { subtype: bestSafety, confidence: safetyProb };
  return undefined;
}
