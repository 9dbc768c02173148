/**
 * A linear text classifier over hashed word and character n-gram features (two tf-idf blocks): an ensemble of
 * multinomial logistic regression (averaged SGD: shuffled epochs, decaying learning rate, L2, class weighting),
 * one-vs-rest linear SVMs and complement naive Bayes, pooled into ONE weight matrix, so scoring costs one sparse
 * matrix-vector product. Serialised sparsely: only hashed rows seen in training (and not pruned), int8-quantised per row.
 * This file loads and scores; nlp/training.ts trains.
 */
import type { Entities } from './entities';
import { featureBlocksInto, HashList } from './features';
import { computedLemmas, seedLemmas } from './text';

/** how the members were pooled: weights of the SVMs and of naive Bayes next to logistic regression's 1 */
export interface EnsembleWeights { svm: number; nb: number }

export interface ModelJson {
  format: 'ticketflow-linear-v2';
  dim: number;
  labels: string[];
  trainedOn: { examples: number; at: string; source?: string; heldOutAccuracy?: number; ensemble?: EnsembleWeights };
  bias: number[];
  /** logits are divided by this (fitted on a calibration slice of the training data) */
  temperature?: number;
  idfUnseen: number;
  charWeight: number;
  rows: string;   // base64 Int32 bucket ids
  idf: string;    // base64 Float32 per row
  scale: string;  // base64 Float32 per row (dequantisation scale)
  weights: string; // base64 Int8 rows × labels
  /** English lemmas of the training words (compromise is slow on a word's first sight; classification then skips it) */
  lemmas?: Record<string, string>;
}

// scratch of scoring: slots in use, and the term-frequency table (keys, counts, generation stamps instead of clearing)
let TOUCHED = new Int32Array(1024);
let TF_KEYS = new Int32Array(1024), TF_COUNT = new Int32Array(1024), TF_GEN = new Int32Array(1024);
let GEN = 0;
let ACC = new Float64Array(64);
const WORDS = new HashList(), CHARS = new HashList();

export interface Vector { idx: Int32Array; val: Float32Array }

export class LinearModel {
  readonly labels: string[];
  readonly dim: number;
  private rowOf: Int32Array; // bucket → row (or -1)
  private W: Float32Array;   // rows × C
  private idf: Float32Array; // per row
  private bias: Float32Array;
  private idfUnseen: number;
  readonly charWeight: number;
  meta: ModelJson['trainedOn'];
  temperature = 1;
  /**
   * A model read from JSON scores with compact tables of its own: the int8 weights (W = q × scale), per row [idf,
   * idf × scale], and bucket → row (half size when there are fewer than 65,535 rows; `none` = unseen bucket).
   */
  private scoring?: { q: Int8Array; meta: Float32Array; rowOf: Uint16Array | Int32Array; none: number };

  constructor(args: { labels: string[]; dim: number; rowOf: Int32Array; W: Float32Array; idf: Float32Array; bias: Float32Array; idfUnseen: number; charWeight: number; meta: ModelJson['trainedOn'] }) {
    this.labels = args.labels; this.dim = args.dim; this.rowOf = args.rowOf; this.W = args.W;
    this.idf = args.idf; this.bias = args.bias; this.idfUnseen = args.idfUnseen; this.charWeight = args.charWeight; this.meta = args.meta;
  }

  /** Log-odds scores per label for NORMALISED text. */
  scores(norm: string, entities?: Entities): Float32Array {
    return this.scoresInto(norm, entities, { out: new Float32Array(this.labels.length) });
  }
  /** scores() into a caller's scratch buffer (grown when too small; the first `labels.length` slots are the scores). */
  scoresInto(norm: string, entities: Entities | undefined, buf: { out: Float32Array }): Float32Array {
    featureBlocksInto(norm, entities, WORDS, CHARS);
    const C = this.labels.length;
    if (ACC.length < 2 * C) ACC = new Float64Array(2 * C);
    const acc = ACC;
    acc.fill(0, 0, 2 * C);
    const nWords = this.accumulate(WORDS, acc, 0);
    const nChars = this.accumulate(CHARS, acc, C);
    const [a, b] = blockScales(nWords, nChars, this.charWeight);
    if (buf.out.length < C) buf.out = new Float32Array(C);
    const out = buf.out;
    for (let c = 0; c < C; c++) out[c] = (this.bias[c]! + a * acc[c]! + b * acc[C + c]!) / this.temperature;
    return out;
  }

  /**
   * acc[off..off+C) += Σ v·W over one block's seen buckets; returns the block's squared norm (unseen buckets count with
   * the maximal idf). This is the hot path of classification and it is bound by memory latency, not arithmetic: term
   * frequencies are counted in a small open-addressing table that stays in the L1 cache (no sort, no Map, no table of
   * the whole hash space), so the only scattered reads left are the row lookup and the row itself.
   */
  private accumulate(list: HashList, acc: Float64Array, off: number): number {
    const mask = this.dim - 1;
    const feats = list.items, n = list.length;
    let size = TF_KEYS.length;
    if (size < 2 * n) { size = 1 << Math.ceil(Math.log2(2 * n)); TF_KEYS = new Int32Array(size); TF_COUNT = new Int32Array(size); TF_GEN = new Int32Array(size); }
    const keys = TF_KEYS, counts = TF_COUNT, gen = TF_GEN, slotMask = size - 1;
    if (TOUCHED.length < n) TOUCHED = new Int32Array(2 * n);
    const touched = TOUCHED; // locals: the loops below would reload a module binding on every access
    if (GEN >= 0x3fffffff) { GEN = 0; gen.fill(0); }
    const g = ++GEN;
    let k = 0;
    for (let i = 0; i < n; i++) {
      const b = feats[i]! & mask;
      let h = Math.imul(b, 0x9e3779b1) >>> 0 & slotMask;
      while (gen[h] === g && keys[h] !== b) h = (h + 1) & slotMask;
      if (gen[h] === g) counts[h]!++;
      else { gen[h] = g; keys[h] = b; counts[h] = 1; touched[k++] = h; }
    }
    const C = this.labels.length;
    let norm2 = 0;
    const sc = this.scoring;
    if (sc) {
      const { q, meta, rowOf, none } = sc;
      const idfUnseen = this.idfUnseen;
      for (let t = 0; t < k; t++) {
        const h = touched[t]!;
        const tf = counts[h]!;
        const l = tf === 1 ? 1 : 1 + Math.log(tf);
        const r = rowOf[keys[h]!]!;
        if (r === none) { const v = l * idfUnseen; norm2 += v * v; continue; }
        const v = l * meta[2 * r]!;
        norm2 += v * v;
        const vs = l * meta[2 * r + 1]!;
        const base = r * C;
        for (let c = 0; c < C; c++) acc[off + c]! += vs * q[base + c]!;
      }
      return norm2;
    }
    const W = this.W;
    for (let t = 0; t < k; t++) {
      const h = touched[t]!;
      const tf = counts[h]!;
      const l = tf === 1 ? 1 : 1 + Math.log(tf);
      const r = this.rowOf[keys[h]!]!;
      if (r < 0) { const v = l * this.idfUnseen; norm2 += v * v; continue; }
      const v = l * this.idf[r]!;
      norm2 += v * v;
      const base = r * C;
      for (let c = 0; c < C; c++) acc[off + c]! += v * W[base + c]!;
    }
    return norm2;
  }

  /** Probabilities per label. */
  predict(norm: string): Float32Array {
    return softmax(this.scores(norm));
  }

  toJSON(pruneEps = 0.02): ModelJson {
    const C = this.labels.length;
    const keep: number[] = [];
    const nRows = this.idf.length;
    const bucketOfRow = new Int32Array(nRows).fill(-1);
    for (let b = 0; b < this.dim; b++) if (this.rowOf[b]! >= 0) bucketOfRow[this.rowOf[b]!] = b;
    const maxAbs = new Float32Array(nRows);
    for (let r = 0; r < nRows; r++) {
      let m = 0;
      for (let c = 0; c < C; c++) m = Math.max(m, Math.abs(this.W[r * C + c]!));
      maxAbs[r] = m;
      if (m >= pruneEps && bucketOfRow[r]! >= 0) keep.push(r);
    }
    const rows = new Int32Array(keep.length);
    const idf = new Float32Array(keep.length);
    const scale = new Float32Array(keep.length);
    const q = new Int8Array(keep.length * C);
    keep.forEach((r, i) => {
      rows[i] = bucketOfRow[r]!;
      idf[i] = this.idf[r]!;
      const s = maxAbs[r]! / 127;
      scale[i] = s;
      for (let c = 0; c < C; c++) q[i * C + c] = Math.round(this.W[r * C + c]! / s);
    });
    const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
    return {
      format: 'ticketflow-linear-v2', dim: this.dim, labels: this.labels, trainedOn: this.meta,
      bias: Array.from(this.bias, (x) => Math.round(x * 1e5) / 1e5), temperature: this.temperature, idfUnseen: this.idfUnseen, charWeight: this.charWeight,
      rows: b64(rows), idf: b64(idf), scale: b64(scale), weights: b64(q), lemmas: computedLemmas(),
    };
  }

  static fromJSON(j: ModelJson): LinearModel {
    if (j.format !== 'ticketflow-linear-v2') throw new Error(`unsupported model format ${j.format} (retrain it with npm run nlp:train)`);
    if (j.lemmas) seedLemmas(j.lemmas);
    const buf = (s: string) => { const b = Buffer.from(s, 'base64'); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength); };
    const rows = new Int32Array(buf(j.rows));
    const idf = new Float32Array(buf(j.idf));
    const scale = new Float32Array(buf(j.scale));
    const q = new Int8Array(buf(j.weights));
    const C = j.labels.length;
    const W = new Float32Array(q.length);
    for (let r = 0; r < rows.length; r++) for (let c = 0; c < C; c++) W[r * C + c] = q[r * C + c]! * scale[r]!;
    const rowOf = new Int32Array(j.dim).fill(-1);
    rows.forEach((b, r) => { rowOf[b] = r; });
    const m = new LinearModel({ labels: j.labels, dim: j.dim, rowOf, W, idf, bias: Float32Array.from(j.bias), idfUnseen: j.idfUnseen, charWeight: j.charWeight, meta: j.trainedOn });
    m.temperature = j.temperature ?? 1;
    // scoring tables: rows of frequent features (low idf) first, so the rows most texts touch share cache lines
    const order = Array.from(rows.keys()).sort((x, y) => idf[x]! - idf[y]!);
    const n = rows.length;
    const sq = new Int8Array(n * C);
    const meta = new Float32Array(2 * n);
    const none = n < 0xffff ? 0xffff : -1;
    const sRowOf = n < 0xffff ? new Uint16Array(j.dim).fill(none) : new Int32Array(j.dim).fill(none);
    order.forEach((r, k) => {
      sq.set(q.subarray(r * C, (r + 1) * C), k * C);
      meta[2 * k] = idf[r]!; meta[2 * k + 1] = idf[r]! * scale[r]!;
      sRowOf[rows[r]!] = k;
    });
    m.scoring = { q: sq, meta, rowOf: sRowOf, none };
    return m;
  }
}

/** Factors for the word and character blocks: each block to unit length, the character block × weight, the pair to unit length. */
export function blockScales(normWords2: number, normChars2: number, charWeight: number): [number, number] {
  const a = normWords2 > 0 ? 1 / Math.sqrt(normWords2) : 0;
  const b = normChars2 > 0 ? charWeight / Math.sqrt(normChars2) : 0;
  const z = Math.sqrt((a > 0 ? 1 : 0) + (b > 0 ? charWeight * charWeight : 0)) || 1;
  return [a / z, b / z];
}

export function softmax(s: Float32Array): Float32Array {
  let m = -Infinity;
  for (const x of s) m = Math.max(m, x);
  const out = new Float32Array(s.length);
  let z = 0;
  for (let i = 0; i < s.length; i++) { out[i] = Math.exp(s[i]! - m); z += out[i]!; }
  for (let i = 0; i < s.length; i++) out[i]! /= z;
  return out;
}
