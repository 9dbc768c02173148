/**
 * Scoring of one normalised span: the model's logits plus the rules of rules.yaml (boosts, forced labels), as
 * probabilities over the label space (model labels, then rule-only labels). Memoised for the last few spans.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRules, loadTaxonomy, type Rule } from './config';
import { readEntities } from './entities';
import { LinearModel, type ModelJson } from './model';
import { partOf, PartTests } from './parts';

export const MODEL_PATH = join(dirname(fileURLToPath(import.meta.url)), 'model.json');

let model: LinearModel | null | undefined;
/** The built-in model (null when nlp/model.json is missing: rules only, everything else → triage). */
export function getModel(): LinearModel | null {
  if (model === undefined) {
    model = existsSync(MODEL_PATH) ? LinearModel.fromJSON(JSON.parse(readFileSync(MODEL_PATH, 'utf8')) as ModelJson) : null;
  }
  return model;
}
/** Replace the model used by classifyFeedback (evaluation, tests). Pass undefined to reload nlp/model.json. */
export function setModel(m: LinearModel | null | undefined): void { model = m; space = undefined; scoreCache.clear(); scoreCacheT.clear(); }

export interface LabelScore {
  label: string;
  confidence: number;
  forced: boolean;
  /** ids of the rules that fired for the winning label (all fired rules when forced) */
  rules: string[];
  /** labels named by any rule that fired */
  ruleLabels: string[];
  /** label space (model labels, then rule-only labels) and the probability of each */
  labels: string[];
  p: Float64Array;
}

/** Probability of `label` in a score. */
export function probOf(s: LabelScore, label: string): number {
  const i = s.labels.indexOf(label);
  return i < 0 ? 0 : s.p[i]!;
}

interface LabelSpace { labels: string[]; index: Map<string, number>; nModel: number }
let space: LabelSpace | undefined;
function labelSpace(): LabelSpace {
  if (!space) {
    const m = getModel();
    const labels = m ? [...m.labels] : [];
    const nModel = labels.length;
    for (const r of loadRules()) if (!labels.includes(r.label)) labels.push(r.label);
    space = { labels, index: new Map(labels.map((l, i) => [l, i])), nModel };
  }
  return space;
}

/** Score one NORMALISED span with model + rules (memoised for the last few spans). */
export function scoreText(norm: string, temperatureScale = 1): LabelScore {
  // keyed by the span itself at the usual temperature: a concatenated key would be a new string to flatten and hash on every call
  const cache = temperatureScale === 1 ? scoreCache : scoreCacheT;
  const key = temperatureScale === 1 ? norm : temperatureScale + '\u0000' + norm;
  const hit = cache.get(key);
  if (hit) return hit;
  const r = scoreUncached(norm, temperatureScale);
  if (cache.size >= 64) cache.delete(cache.keys().next().value!);
  cache.set(key, r);
  return r;
}
/** The memoised score of a NORMALISED span at the usual temperature, if it was scored lately (nothing is computed). */
export function peekScore(norm: string): LabelScore | undefined {
  return scoreCache.get(norm);
}
/** tiny memo: the same span is often scored twice within one classification (clause = whole message) */
const scoreCache = new Map<string, LabelScore>();
const scoreCacheT = new Map<string, LabelScore>();

let ruleTests: { of: Rule[]; tests: PartTests } | undefined;
/** the rules' patterns, tested on a part of a message only when they can match there (nlp/parts.ts) */
function rulePatterns(rules: Rule[]): PartTests {
  if (ruleTests?.of !== rules) ruleTests = { of: rules, tests: new PartTests(rules.map((r) => r.pattern ?? NEVER)) };
  return ruleTests.tests;
}
const NEVER = /(?!)/;

/** does `found` contain any of `wanted`? */
function namesAny<T>(found: readonly T[], wanted: readonly T[]): boolean {
  for (let i = 0; i < wanted.length; i++) if (found.includes(wanted[i]!)) return true;
  return false;
}

/**
 * A new vector of L probabilities: a view into a shared chunk. A typed array of this size made on its own gets a
 * buffer outside the heap, slow to make and to collect (it showed as 3 % of classification).
 */
function newProbabilities(L: number): Float64Array {
  if (probAt + L > probChunk.length) { probChunk = new Float64Array(Math.max(4096, L)); probAt = 0; }
  probAt += L;
  return probChunk.subarray(probAt - L, probAt);
}
let probChunk = new Float64Array(0), probAt = 0;

let LOGITS = new Float64Array(64);
const SCORES = { out: new Float32Array(64) };
function scoreUncached(norm: string, temperatureScale: number): LabelScore {
  const m = getModel();
  const rules = loadRules();
  const { labels, index, nModel } = labelSpace();
  const ent = readEntities(norm);
  const fee = ent.feeItems;
  const fired: Rule[] = [];
  const tests = rulePatterns(rules), part = partOf(norm);
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]!;
    if (!r.pattern && !r.feeItems) continue;
    if (r.pattern && !tests.test(i, norm, part)) continue;
    if (r.feeItems && !namesAny(fee, r.feeItems)) continue;
    fired.push(r);
  }
  if (labels.length === 0) {
    return { label: loadTaxonomy().settings.fallbackLabel, confidence: 0, forced: false, rules: [], ruleLabels: [], labels, p: new Float64Array(0) };
  }
  const L = labels.length;
  if (LOGITS.length < L) LOGITS = new Float64Array(L);
  const logits = LOGITS; // scratch, every slot < L is written below
  let min = 0;
  if (m) {
    const sc = m.scoresInto(norm, ent, SCORES);
    min = Infinity;
    for (let i = 0; i < nModel; i++) { logits[i] = sc[i]! / temperatureScale; if (logits[i]! < min) min = logits[i]!; }
  }
  for (let i = nModel; i < L; i++) logits[i] = min - 30; // rule-only labels: out of play unless a rule fires
  let forced: Rule | undefined;
  const ruleLabels: string[] = [];
  for (const r of fired) {
    const i = index.get(r.label)!;
    if (!ruleLabels.includes(r.label)) { ruleLabels.push(r.label); if (i >= nModel) logits[i] = min - 2; }
  }
  for (const r of fired) {
    if (r.mode === 'force') { forced ??= r; continue; }
    logits[index.get(r.label)!]! += r.weight;
  }
  let mx = -Infinity;
  for (let i = 0; i < L; i++) if (logits[i]! > mx) mx = logits[i]!;
  let z = 0;
  const p = newProbabilities(L);
  for (let i = 0; i < L; i++) { p[i] = Math.exp(logits[i]! - mx); z += p[i]!; }
  let best = 0;
  for (let i = 0; i < L; i++) { p[i]! /= z; if (p[i]! > p[best]!) best = i; }
  if (forced) {
    return { label: forced.label, confidence: Math.max(forced.confidence, p[index.get(forced.label)!]!), forced: true, rules: fired.map((r) => r.id), ruleLabels, labels, p };
  }
  const rulesFor: string[] = [];
  for (const r of fired) if (r.label === labels[best]) rulesFor.push(r.id);
  return { label: labels[best]!, confidence: p[best]!, forced: false, rules: rulesFor, ruleLabels, labels, p };
}
