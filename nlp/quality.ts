/**
 * Intake quality on messages the project never trains or tunes on (data/heldout/*.jsonl, issue 22):
 * safety recall and false safety alarms, multi-problem exact rate, over-splitting of single-problem messages,
 * out-of-scope messages sent to triage and real complaints lost to triage — next to single-problem accuracy.
 *
 * A message's tickets are compared as a SET of keys. Safety subtypes share one key (`safety_incident`): one SOP,
 * one group, one page, and "a threat" vs. "harassment" is often both; every other label is compared in full.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './corpus';

export const HELDOUT_DIR = join(PROJECT_ROOT, 'data', 'heldout');
/** Development messages of the same kinds, written apart from data/heldout: the set changes are tuned on. */
export const DEV_DIR = join(PROJECT_ROOT, 'data', 'dev');
const SAFETY = 'safety_incident';
const TRIAGE = 'triage';

export interface HeldoutMessage { text: string; labels: string[]; lang?: string; file: string }

/** Every data/heldout/*.jsonl: `{text, labels: [...], lang}`; out-of-scope messages are labelled `triage/unclear`. */
export function loadHeldout(dir = HELDOUT_DIR): HeldoutMessage[] {
  if (!existsSync(dir)) return [];
  const out: HeldoutMessage[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.jsonl')) continue;
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const o = JSON.parse(line) as { text: string; labels: string[]; lang?: string };
      out.push({ text: o.text, labels: o.labels, lang: o.lang, file });
    }
  }
  return out;
}

const keyOf = (label: string) => (label.startsWith(SAFETY + '/') ? SAFETY : label);
const isTriage = (label: string) => label.startsWith(TRIAGE + '/');

export interface Rate { hit: number; of: number; rate: number }
const rate = (hit: number, of: number): Rate => ({ hit, of, rate: of ? hit / of : 0 });

export interface QualityReport {
  /** single-problem complaints (incl. safety) that come out as exactly one ticket with the right key */
  singleAccuracy: Rate;
  /** messages reporting a safety incident that produce at least one safety ticket */
  safetyRecall: Rate;
  /** messages without a safety incident (complaints and out-of-scope) that produce a safety ticket */
  falseSafetyAlarms: Rate;
  /** messages with two or three problems whose ticket set equals the set of problems */
  multiExact: Rate;
  /** single-problem complaints that come out as more than one ticket */
  overSplit: Rate;
  /** out-of-scope messages whose every ticket is triage */
  outOfScopeToTriage: Rate;
  /** real complaints (single or multi) whose every ticket is triage */
  complaintsLostToTriage: Rate;
  /** messages that count against a goal, for diagnosis (do not tune on them) */
  failures: Array<{ text: string; gold: string[]; got: string[]; file: string }>;
}

/** Score `classify` (text → the labels of its tickets, in order) on the held-out messages. */
export function measureQuality(messages: HeldoutMessage[], classify: (text: string) => string[]): QualityReport {
  let single = 0, singleOk = 0, safety = 0, safetyHit = 0, nonSafety = 0, alarms = 0, multi = 0, multiOk = 0;
  let overSplit = 0, oos = 0, oosTriage = 0, complaints = 0, lost = 0;
  const failures: QualityReport['failures'] = [];
  for (const m of messages) {
    const got = classify(m.text);
    const gold = new Set(m.labels.map(keyOf));
    const keys = new Set(got.map(keyOf));
    const exact = gold.size === keys.size && [...gold].every((k) => keys.has(k));
    const allTriage = got.every(isTriage);
    const outOfScope = m.labels.every(isTriage);
    const hasSafety = gold.has(SAFETY);
    if (hasSafety) { safety++; if (keys.has(SAFETY)) safetyHit++; } else { nonSafety++; if (keys.has(SAFETY)) alarms++; }
    if (outOfScope) { oos++; if (allTriage) oosTriage++; } else { complaints++; if (allTriage) lost++; }
    if (!outOfScope && gold.size === 1) {
      single++;
      if (got.length === 1 && exact) singleOk++;
      if (got.length > 1) overSplit++;
    }
    if (gold.size > 1) { multi++; if (exact) multiOk++; }
    if (!exact || (gold.size === 1 && got.length > 1)) failures.push({ text: m.text, gold: m.labels, got, file: m.file });
  }
  return {
    singleAccuracy: rate(singleOk, single), safetyRecall: rate(safetyHit, safety), falseSafetyAlarms: rate(alarms, nonSafety),
    multiExact: rate(multiOk, multi), overSplit: rate(overSplit, single), outOfScopeToTriage: rate(oosTriage, oos),
    complaintsLostToTriage: rate(lost, complaints), failures,
  };
}

/** The goals of issue 22, as [measure, goal, direction]. */
export const QUALITY_GOALS: Array<[keyof Omit<QualityReport, 'failures'>, number, '>=' | '<=']> = [
  ['safetyRecall', 0.98, '>='], ['falseSafetyAlarms', 0.02, '<='], ['multiExact', 0.8, '>='], ['singleAccuracy', 0.94, '>='],
  ['overSplit', 0.05, '<='], ['outOfScopeToTriage', 0.95, '>='], ['complaintsLostToTriage', 0.02, '<='],
];

export function formatQuality(q: QualityReport): string {
  return QUALITY_GOALS.map(([k, goal, dir]) => {
    const r = q[k];
    const ok = dir === '>=' ? r.rate >= goal : r.rate <= goal;
    return `${k.padEnd(24)} ${(r.rate * 100).toFixed(1).padStart(5)} %  (${r.hit} of ${r.of})   goal ${dir} ${goal * 100} %  ${ok ? 'met' : 'MISSED'}`;
  }).join('\n');
}
