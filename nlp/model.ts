/**
 * Multinomial logistic regression over hashed features, trained with averaged SGD
 * (shuffled epochs, decaying learning rate, L2 on touched weights, class weighting).
 * Serialised sparsely: only hashed rows seen in training (and not pruned), int8-quantised per row.
 */
import type { Entities } from './entities';
import { featureHashes, fnv1a, hashFeatures, type SparseCounts } from './features';

export interface TrainOptions {
  dim?: number;          // hashing space, power of two (default 2^18)
  epochs?: number;       // default 12
  lr?: number;           // initial learning rate (default 0.5)
  l2?: number;           // L2 strength (default 1e-6)
  classWeight?: 'balanced' | 'none'; // default balanced (sqrt-dampened)
  /**
   * Weight of a complement naive Bayes model pooled into the logistic regression (log-linear pooling:
   * the NB log-scores, rescaled to the spread of the LR logits, are added with this weight; default 1). 0 = LR only.
   * NB is linear in the same features, so the pooled model is still one weight matrix: no cost at scoring time.
   */
  nb?: number;
  /** additive smoothing of the complement NB (default 0.03) */
  nbAlpha?: number;
  seed?: number;
  onProgress?: (done: number, total: number, phase: string) => void;
}

export interface ModelJson {
  format: 'ticketflow-linear-v1';
  dim: number;
  labels: string[];
  trainedOn: { examples: number; at: string; source?: string; heldOutAccuracy?: number };
  bias: number[];
  /** logits are divided by this (fitted on a calibration slice of the training data) */
  temperature?: number;
  idfUnseen: number;
  rows: string;   // base64 Int32 bucket ids
  idf: string;    // base64 Float32 per row
  scale: string;  // base64 Float32 per row (dequantisation scale)
  weights: string; // base64 Int8 rows × labels
}

let SCRATCH = new Uint32Array(1024);

export interface Vector { idx: Int32Array; val: Float32Array }

export class LinearModel {
  readonly labels: string[];
  readonly dim: number;
  private rowOf: Int32Array; // bucket → row (or -1)
  private W: Float32Array;   // rows × C
  private idf: Float32Array; // per row
  private bias: Float32Array;
  private idfUnseen: number;
  meta: ModelJson['trainedOn'];
  temperature = 1;

  constructor(args: { labels: string[]; dim: number; rowOf: Int32Array; W: Float32Array; idf: Float32Array; bias: Float32Array; idfUnseen: number; meta: ModelJson['trainedOn'] }) {
    this.labels = args.labels; this.dim = args.dim; this.rowOf = args.rowOf; this.W = args.W;
    this.idf = args.idf; this.bias = args.bias; this.idfUnseen = args.idfUnseen; this.meta = args.meta;
  }

  /** Log-odds scores per label for NORMALISED text. */
  scores(norm: string, entities?: Entities): Float32Array {
    const feats = featureHashes(norm, entities);
    const mask = this.dim - 1;
    const n = feats.length;
    if (SCRATCH.length < n) SCRATCH = new Uint32Array(n * 2);
    for (let i = 0; i < n; i++) SCRATCH[i] = feats[i]! & mask;
    const hs = SCRATCH.subarray(0, n).sort(); // equal buckets become runs: run length = tf
    const C = this.labels.length;
    const acc = new Float64Array(C);
    let norm2 = 0;
    const W = this.W;
    // one pass: Σ v·W over seen buckets; the norm also counts unseen buckets (with the maximal idf)
    for (let i = 0; i < n;) {
      const b = hs[i]!;
      let j = i + 1;
      while (j < n && hs[j] === b) j++;
      const tf = j - i;
      i = j;
      const r = this.rowOf[b]!;
      const l = tf === 1 ? 1 : 1 + Math.log(tf);
      if (r < 0) { const v = l * this.idfUnseen; norm2 += v * v; continue; }
      const v = l * this.idf[r]!;
      norm2 += v * v;
      const base = r * C;
      for (let c = 0; c < C; c++) acc[c]! += v * W[base + c]!;
    }
    const inv = norm2 > 0 ? 1 / Math.sqrt(norm2) : 0;
    const out = new Float32Array(C);
    for (let c = 0; c < C; c++) out[c] = this.bias[c]! + acc[c]! * inv;
    if (this.temperature !== 1) for (let c = 0; c < C; c++) out[c]! /= this.temperature;
    return out;
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
      format: 'ticketflow-linear-v1', dim: this.dim, labels: this.labels, trainedOn: this.meta,
      bias: Array.from(this.bias, (x) => Math.round(x * 1e5) / 1e5), temperature: this.temperature, idfUnseen: this.idfUnseen,
      rows: b64(rows), idf: b64(idf), scale: b64(scale), weights: b64(q),
    };
  }

  static fromJSON(j: ModelJson): LinearModel {
    if (j.format !== 'ticketflow-linear-v1') throw new Error(`unsupported model format ${j.format}`);
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
    const m = new LinearModel({ labels: j.labels, dim: j.dim, rowOf, W, idf, bias: Float32Array.from(j.bias), idfUnseen: j.idfUnseen, meta: j.trainedOn });
    m.temperature = j.temperature ?? 1;
    return m;
  }
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

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Train on NORMALISED texts. */
export function trainModel(texts: string[], labels: string[], opts: TrainOptions = {}): LinearModel {
  const dim = opts.dim ?? 1 << 18;
  const epochs = opts.epochs ?? 12;
  const lr0 = opts.lr ?? 2;
  const l2 = opts.l2 ?? 1e-6;
  const rand = mulberry32(opts.seed ?? 42);
  const labelSet = [...new Set(labels)].sort();
  const C = labelSet.length;
  const li = new Map(labelSet.map((l, i) => [l, i]));
  const y = Int32Array.from(labels, (l) => li.get(l)!);
  const N = texts.length;

  // 1. featurise + document frequencies
  const counts: SparseCounts[] = new Array(N);
  const df = new Int32Array(dim);
  for (let i = 0; i < N; i++) {
    counts[i] = hashFeatures(featureHashes(texts[i]!), dim);
    for (const b of counts[i]!.idx) df[b]!++;
    if (i % 500 === 0) opts.onProgress?.(i, N, 'features');
  }
  opts.onProgress?.(N, N, 'features');
  const rowOf = new Int32Array(dim).fill(-1);
  let nRows = 0;
  for (let b = 0; b < dim; b++) if (df[b]! > 0) rowOf[b] = nRows++;
  const idf = new Float32Array(nRows);
  for (let b = 0; b < dim; b++) if (rowOf[b]! >= 0) idf[rowOf[b]!] = Math.log((1 + N) / (1 + df[b]!)) + 1;
  const idfUnseen = Math.log(1 + N) + 1;

  // 2. tf-idf vectors (rows), L2-normalised
  const X: Vector[] = counts.map(({ idx, tf }) => {
    const r = new Int32Array(idx.length);
    const v = new Float32Array(idx.length);
    let n2 = 0;
    for (let k = 0; k < idx.length; k++) {
      r[k] = rowOf[idx[k]!]!;
      v[k] = (1 + Math.log(tf[k]!)) * idf[r[k]!]!;
      n2 += v[k]! * v[k]!;
    }
    const inv = 1 / Math.sqrt(n2 || 1);
    for (let k = 0; k < v.length; k++) v[k]! *= inv;
    return { idx: r, val: v };
  });

  // 3. class weights (balanced, sqrt-dampened)
  const freq = new Float64Array(C);
  for (const c of y) freq[c]!++;
  const cw = new Float32Array(C).fill(1);
  if ((opts.classWeight ?? 'balanced') === 'balanced') for (let c = 0; c < C; c++) cw[c] = Math.sqrt(N / (C * freq[c]!));

  // 4. averaged SGD
  const W = new Float32Array(nRows * C);
  const U = new Float32Array(nRows * C); // Σ t·Δ for averaging
  const b = new Float64Array(C);
  const bU = new Float64Array(C);
  const order = Int32Array.from({ length: N }, (_, i) => i);
  const p = new Float64Array(C);
  let t = 1;
  const total = epochs * N;
  for (let ep = 0; ep < epochs; ep++) {
    for (let i = N - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); const tmp = order[i]!; order[i] = order[j]!; order[j] = tmp; }
    for (let k = 0; k < N; k++, t++) {
      const ex = order[k]!;
      const { idx, val } = X[ex]!;
      const eta = lr0 / (1 + (2 * t) / N);
      for (let c = 0; c < C; c++) p[c] = b[c]!;
      for (let f = 0; f < idx.length; f++) {
        const base = idx[f]! * C;
        const v = val[f]!;
        for (let c = 0; c < C; c++) p[c]! += v * W[base + c]!;
      }
      let m = -Infinity;
      for (let c = 0; c < C; c++) m = Math.max(m, p[c]!);
      let z = 0;
      for (let c = 0; c < C; c++) { p[c] = Math.exp(p[c]! - m); z += p[c]!; }
      const w = cw[y[ex]!]!;
      const decay = eta * l2;
      for (let c = 0; c < C; c++) {
        const g = (p[c]! / z - (c === y[ex] ? 1 : 0)) * w;
        if (Math.abs(g) < 1e-4) continue;
        const sg = eta * g;
        for (let f = 0; f < idx.length; f++) {
          const j = idx[f]! * C + c;
          const d = -sg * val[f]! - decay * W[j]!;
          W[j]! += d;
          U[j]! += t * d;
        }
        const db = -sg * 0.1;
        b[c]! += db; bU[c]! += t * db;
      }
      if ((t & 4095) === 0) opts.onProgress?.(t, total, `epoch ${ep + 1}/${epochs}`);
    }
  }
  opts.onProgress?.(total, total, 'done');
  for (let j = 0; j < W.length; j++) W[j] = W[j]! - U[j]! / t;
  const bias = new Float32Array(C);
  for (let c = 0; c < C; c++) bias[c] = b[c]! - bU[c]! / t;
  const nb = opts.nb ?? 1;
  if (nb > 0) poolComplementNB(W, bias, X, y, C, nRows, nb, opts.nbAlpha ?? 0.03);
  return new LinearModel({
    labels: labelSet, dim, rowOf, W, idf, bias, idfUnseen,
    meta: { examples: N, at: new Date().toISOString() },
  });
}

/**
 * Complement naive Bayes (Rennie et al. 2003) on the same tf-idf vectors, added into W:
 * w_cf = −log θ_{¬c,f}, each class row normalised by Σ_f |w_cf|; centred over classes per feature (does not change
 * the ranking); rescaled so that the spread of its training scores matches that of the LR logits; times `weight`.
 */
function poolComplementNB(W: Float32Array, bias: Float32Array, X: Vector[], y: Int32Array, C: number, nRows: number, weight: number, alpha: number): void {
  const fc = new Float64Array(nRows * C); // Σ x over documents of class c
  for (let i = 0; i < X.length; i++) {
    const { idx, val } = X[i]!;
    const c = y[i]!;
    for (let k = 0; k < idx.length; k++) fc[idx[k]! * C + c]! += val[k]!;
  }
  const tot = new Float64Array(nRows);
  const classTot = new Float64Array(C);
  for (let r = 0; r < nRows; r++) for (let c = 0; c < C; c++) { tot[r]! += fc[r * C + c]!; classTot[c]! += fc[r * C + c]!; }
  let all = 0;
  for (let c = 0; c < C; c++) all += classTot[c]!;
  const V = new Float32Array(nRows * C);
  const norm = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const denom = alpha * nRows + all - classTot[c]!;
    for (let r = 0; r < nRows; r++) {
      const v = -Math.log((alpha + tot[r]! - fc[r * C + c]!) / denom); // > 0; small where the complement uses f a lot
      V[r * C + c] = v;
      norm[c]! += v;
    }
  }
  for (let r = 0; r < nRows; r++) {
    let mean = 0;
    for (let c = 0; c < C; c++) { V[r * C + c]! /= norm[c]!; mean += V[r * C + c]!; }
    mean /= C;
    // a large −log θ¬c means the other classes rarely use f: evidence for c (CNB predicts argmax x·w)
    for (let c = 0; c < C; c++) V[r * C + c]! -= mean;
  }
  // spreads (std over classes, averaged over training documents) of LR logits and NB scores
  let sLR = 0, sNB = 0;
  const a = new Float64Array(C), bb = new Float64Array(C);
  const step = Math.max(1, Math.floor(X.length / 500));
  for (let i = 0; i < X.length; i += step) {
    const { idx, val } = X[i]!;
    a.fill(0); bb.fill(0);
    for (let k = 0; k < idx.length; k++) {
      const base = idx[k]! * C;
      for (let c = 0; c < C; c++) { a[c]! += val[k]! * W[base + c]!; bb[c]! += val[k]! * V[base + c]!; }
    }
    sLR += std(a); sNB += std(bb);
  }
  const scale = sNB > 0 ? (weight * sLR) / sNB : 0;
  for (let j = 0; j < W.length; j++) W[j]! += scale * V[j]!;
  void bias;
}
function std(a: Float64Array): number {
  let m = 0;
  for (const x of a) m += x;
  m /= a.length;
  let v = 0;
  for (const x of a) v += (x - m) * (x - m);
  return Math.sqrt(v / a.length);
}

/**
 * Train with probability calibration: a model trained on ~85 % of the examples (hash split) fits the
 * softmax temperature on the other ~15 % (minimum log-loss), then the final model is trained on everything.
 */
export function trainCalibrated(texts: string[], labels: string[], opts: TrainOptions = {}): LinearModel {
  const fit: number[] = [];
  const cal: number[] = [];
  texts.forEach((t, i) => ((fnv1a('cal:' + t) % 100) < 15 ? cal : fit).push(i));
  let temperature = 1;
  if (cal.length >= 20 && new Set(fit.map((i) => labels[i])).size > 1) {
    const m = trainModel(fit.map((i) => texts[i]!), fit.map((i) => labels[i]!), { ...opts, onProgress: undefined });
    const li = new Map(m.labels.map((l, i) => [l, i]));
    const S = cal.map((i) => m.scores(texts[i]!));
    let best = Infinity;
    for (let T = 0.05; T <= 3; T *= 1.1) {
      let nll = 0;
      cal.forEach((i, k) => {
        const p = softmax(S[k]!.map((x) => x / T));
        const y = li.get(labels[i]!);
        nll -= Math.log(Math.max(1e-9, y === undefined ? 1e-9 : p[y]!));
      });
      if (nll < best) { best = nll; temperature = T; }
    }
  }
  const model = trainModel(texts, labels, opts);
  model.temperature = Math.round(temperature * 1000) / 1000;
  return model;
}
