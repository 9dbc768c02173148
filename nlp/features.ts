/**
 * Hashed sparse features: word uni/bi-grams, Chinese character 1–3 grams, English in-word character 3–5 grams,
 * plus entity flags (fee items, money, durations). Values are raw counts here; the model applies
 * sublinear tf (1 + ln tf) × idf and L2-normalises.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { extractEntities, FEE_ITEM_CODES, type Entities, type FeeItemCode } from './entities';
import { partOf, PartTests } from './parts';
import { tokenize } from './text';

export interface SparseCounts { idx: Int32Array; tf: Float32Array }

/** 32-bit FNV-1a */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Feature settings. Defaults are what the shipped model was trained with; `setFeatureConfig` exists for
 * experiments (nlp/cli/tune.ts) only — a model must be scored with the settings it was trained with.
 */
export const featureConfig = {
  /** concept features are counted this many times (tf 1 + ln 8 ≈ 3×), as they are few and curated */
  conceptRepeat: 8,
  /** English in-word character n-gram range (word padded with < >) */
  enMin: 3,
  enMax: 5,
  /** minimum English word length for character n-grams */
  enMinWord: 3,
};
export function setFeatureConfig(c: Partial<typeof featureConfig>): void {
  Object.assign(featureConfig, c);
  ZH_HASHES.clear();
  EN_HASHES.clear();
}
const GRAM_CACHE = new Map<string, string[]>();
/** Chinese character 1–3 grams of a run (cached: clauses and the whole message share runs). */
function charGrams(run: string): string[] {
  let g = GRAM_CACHE.get(run);
  if (!g) {
    g = [];
    for (let i = 0; i < run.length; i++) {
      g.push('c:' + run[i]);
      if (i + 1 < run.length) g.push('c:' + run.slice(i, i + 2));
      if (i + 2 < run.length) g.push('c:' + run.slice(i, i + 3));
    }
    if (GRAM_CACHE.size > 20_000) GRAM_CACHE.clear();
    GRAM_CACHE.set(run, g);
  }
  return g;
}

let concepts: Array<[string, RegExp]> | undefined;
/** Bilingual concept lexicon (config/concepts.yaml) → shared features k:<concept>. */
function loadConcepts(): Array<[string, RegExp]> {
  if (concepts) return concepts;
  const file = join(dirname(fileURLToPath(import.meta.url)), 'config', 'concepts.yaml');
  const raw = (parse(readFileSync(file, 'utf8')) as { concepts?: Record<string, string> }).concepts ?? {};
  return (concepts = Object.entries(raw).map(([k, v]) => [k, new RegExp(v, 'i')]));
}
let conceptTests: PartTests | undefined;
/** the concept patterns, tested on a part of a message only when they can match there (nlp/parts.ts) */
const conceptPatterns = () => (conceptTests ??= new PartTests(loadConcepts().map(([, re]) => re)));

/** Does a NORMALISED text name any concept of the lexicon (late, damage, refund, app, …)? The out-of-scope gate asks. */
export function hasConcept(norm: string): boolean {
  const tests = conceptPatterns(), part = partOf(norm);
  for (let c = 0; c < tests.patterns.length; c++) if (tests.test(c, norm, part)) return true;
  return false;
}

export function featureStrings(norm: string, entities?: Entities): string[] {
  const { words, zhRuns, enWords } = tokenize(norm);
  const f: string[] = [];
  for (let i = 0; i < words.length; i++) {
    f.push('w:' + words[i]);
    if (i + 1 < words.length) f.push('b:' + words[i] + ' ' + words[i + 1]);
  }
  for (const run of zhRuns) for (const g of charGrams(run)) f.push(g);
  for (const w of enWords) {
    if (w.length < featureConfig.enMinWord) continue;
    const p = '<' + w + '>';
    for (let n = featureConfig.enMin; n <= featureConfig.enMax; n++) for (let i = 0; i + n <= p.length; i++) f.push('e:' + p.slice(i, i + n));
  }
  for (const [k, re] of loadConcepts()) if (re.test(norm)) for (let r = 0; r < featureConfig.conceptRepeat; r++) f.push('k:' + k);
  const ent = entities ?? extractEntities(norm);
  for (const code of ent.feeItems) f.push('fee:' + code);
  if (ent.amounts.length) f.push('has:money');
  if (ent.durations.length) f.push('has:duration');
  if (ent.orderIds.length) f.push('has:order');
  if (f.length === 0) f.push('empty');
  return f;
}

// ---------------------------------------------------------------- fast path: hashes without building strings
// fnv1a is sequential, so hashing the parts of a feature one after the other gives exactly
// fnv1a(the concatenated feature string): featureHashes(x) ≡ featureStrings(x).map(fnv1a).
const H0 = 0x811c9dc5;
function step(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); }
  return h;
}
const HW = step(H0, 'w:');
const HB = step(H0, 'b:');
// one map per kind, keyed by the run / word itself (a prefixed key would be a new string to hash on every lookup)
const ZH_HASHES = new Map<string, Int32Array>();
const EN_HASHES = new Map<string, Int32Array>();
function remember(cache: Map<string, Int32Array>, key: string, v: Int32Array): Int32Array {
  if (cache.size > 50_000) cache.clear();
  cache.set(key, v);
  return v;
}
/** hashes of a Chinese run's character 1–3 grams (cached per run) */
const zhHashes = (run: string) => ZH_HASHES.get(run) ?? remember(ZH_HASHES, run, Int32Array.from(charGrams(run), fnv1a));
/** hashes of an English word's in-word character n-grams, the word padded with < > (cached per word) */
function enHashes(w: string): Int32Array {
  const hit = EN_HASHES.get(w);
  if (hit) return hit;
  const p = '<' + w + '>';
  const out: number[] = [];
  for (let n = featureConfig.enMin; n <= featureConfig.enMax; n++) for (let i = 0; i + n <= p.length; i++) out.push(fnv1a('e:' + p.slice(i, i + n)));
  return remember(EN_HASHES, w, Int32Array.from(out));
}
let conceptHashes: number[] | undefined;

/** A growable list of feature hashes (int32 bits), reused from call to call: the scorer's hot path builds no arrays. */
export class HashList {
  items = new Int32Array(256);
  length = 0;
  push(h: number): void {
    if (this.length === this.items.length) { const a = new Int32Array(2 * this.length); a.set(this.items); this.items = a; }
    this.items[this.length++] = h;
  }
  pushAll(hs: Int32Array): void {
    if (this.length + hs.length > this.items.length) {
      const a = new Int32Array(2 * (this.length + hs.length)); a.set(this.items.subarray(0, this.length)); this.items = a;
    }
    this.items.set(hs, this.length);
    this.length += hs.length;
  }
}

/**
 * Feature hashes of NORMALISED text in two blocks, which the model normalises separately so that the many
 * character n-grams do not drown the few word features: [words, bigrams, concepts, entities] and [character n-grams].
 */
export function featureBlocks(norm: string, entities?: Entities): [number[], number[]] {
  const f = new HashList(), g = new HashList();
  featureBlocksInto(norm, entities, f, g);
  const unsigned = (l: HashList) => Array.from(l.items.subarray(0, l.length), (h) => h >>> 0);
  return [unsigned(f), unsigned(g)];
}

/** featureBlocks into the caller's lists (emptied first), hashes as int32 bits (the model masks them). */
export function featureBlocksInto(norm: string, entities: Entities | undefined, f: HashList, g: HashList): void {
  f.length = 0; g.length = 0;
  const { words, zhRuns, enWords } = tokenize(norm);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    f.push(step(HW, w));
    if (i + 1 < words.length) f.push(step(step(step(HB, w), ' '), words[i + 1]!));
  }
  for (let i = 0; i < zhRuns.length; i++) g.pushAll(zhHashes(zhRuns[i]!));
  for (let i = 0; i < enWords.length; i++) if (enWords[i]!.length >= featureConfig.enMinWord) g.pushAll(enHashes(enWords[i]!));
  const tests = conceptPatterns(), part = partOf(norm);
  conceptHashes ??= loadConcepts().map(([k]) => fnv1a('k:' + k));
  for (let c = 0; c < conceptHashes.length; c++) if (tests.test(c, norm, part)) for (let r = 0; r < featureConfig.conceptRepeat; r++) f.push(conceptHashes[c]!);
  const ent = entities ?? extractEntities(norm);
  for (const code of ent.feeItems) f.push(FEE_HASH[code]);
  if (ent.amounts.length) f.push(H_MONEY);
  if (ent.durations.length) f.push(H_DURATION);
  if (ent.orderIds.length) f.push(H_ORDER);
  if (f.length === 0 && g.length === 0) f.push(H_EMPTY);
}

/** 32-bit feature hashes of NORMALISED text (same multiset as featureStrings(norm).map(fnv1a)). */
export function featureHashes(norm: string, entities?: Entities): number[] {
  const [f, g] = featureBlocks(norm, entities);
  return f.concat(g);
}
const H_MONEY = fnv1a('has:money');
const H_DURATION = fnv1a('has:duration');
const H_ORDER = fnv1a('has:order');
const H_EMPTY = fnv1a('empty');
const FEE_HASH = Object.fromEntries(FEE_ITEM_CODES.map((c) => [c, fnv1a('fee:' + c)])) as Record<FeeItemCode, number>;

/** Count hashed features into buckets of a `dim`-sized space (dim must be a power of two). */
export function hashFeatures(feats: Array<string | number>, dim: number): SparseCounts {
  const counts = new Map<number, number>();
  const mask = dim - 1;
  for (const s of feats) {
    const h = (typeof s === 'number' ? s : fnv1a(s)) & mask;
    counts.set(h, (counts.get(h) ?? 0) + 1);
  }
  const idx = new Int32Array(counts.size);
  const tf = new Float32Array(counts.size);
  let k = 0;
  for (const [h, c] of counts) { idx[k] = h; tf[k] = c; k++; }
  return { idx, tf };
}
