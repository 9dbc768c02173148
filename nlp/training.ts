/**
 * Training of the linear classifier (nlp/model.ts scores): multinomial logistic regression by averaged SGD,
 * one-vs-rest linear SVMs and complement naive Bayes over the same tf-idf blocks, pooled into one weight matrix;
 * trainCalibrated chooses the pooling weights and the softmax temperature on held-apart examples.
 */
import { featureBlocks, fnv1a, hashFeatures, type SparseCounts } from './features';
import { blockScales, LinearModel, softmax, type EnsembleWeights, type Vector } from './model';

export interface TrainOptions {
  dim?: number;          // hashing space, power of two (default 2^18)
  epochs?: number;       // default 8
  lr?: number;           // initial learning rate (default 6)
  l2?: number;           // L2 strength (default 1e-6)
  classWeight?: 'balanced' | 'none'; // default balanced (sqrt-dampened)
  /**
   * Weight of a complement naive Bayes model pooled into the logistic regression (see poolMembers; 0 = not trained).
   * Unset: DEFAULT_WEIGHTS in trainModel, chosen on held-apart examples in trainCalibrated.
   */
  nb?: number;
  /** additive smoothing of the complement NB (default 0.03) */
  nbAlpha?: number;
  /**
   * Weight of one-vs-rest L2-loss linear SVMs (dual coordinate descent, as in LIBLINEAR), pooled in the same way.
   * Margin-based and LR models err on different examples, so the pool is more accurate than either.
   */
  svm?: number;
  /** SVM cost C (default 1) */
  svmC?: number;
  /**
   * Weight of the character n-gram block against the word block (default 1). Each block is tf-idf weighted and
   * L2-normalised on its own, then the pair is scaled to unit length.
   */
  charWeight?: number;
  seed?: number;
  onProgress?: (done: number, total: number, phase: string) => void;
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

/** Pooling weights of the ensemble members against the logistic regression. */
const DEFAULT_WEIGHTS: EnsembleWeights = { svm: 1, nb: 0.5 };

interface Member { W: Float32Array; bias: Float32Array; spread: number }
/** Everything trained on one set of tf-idf vectors: the shared vocabulary and the members, not yet pooled. */
export interface Members {
  labels: string[]; dim: number; rowOf: Int32Array; idf: Float32Array; idfUnseen: number; charWeight: number; examples: number;
  lr: Member; svm?: Member; nb?: Member;
}

/** Train on NORMALISED texts with fixed pooling weights (opts.svm / opts.nb, else DEFAULT_WEIGHTS). */
export function trainModel(texts: string[], labels: string[], opts: TrainOptions = {}): LinearModel {
  return poolMembers(trainMembers(texts, labels, opts), { svm: opts.svm ?? DEFAULT_WEIGHTS.svm, nb: opts.nb ?? DEFAULT_WEIGHTS.nb });
}

/** Train the members on NORMALISED texts; a member whose weight is set to 0 in opts is skipped. */
export function trainMembers(texts: string[], labels: string[], opts: TrainOptions = {}): Members {
  const dim = opts.dim ?? 1 << 18;
  const epochs = opts.epochs ?? 8;
  const lr0 = opts.lr ?? 6;
  const l2 = opts.l2 ?? 1e-6;
  const rand = mulberry32(opts.seed ?? 42);
  const labelSet = [...new Set(labels)].sort();
  const C = labelSet.length;
  const li = new Map(labelSet.map((l, i) => [l, i]));
  const y = Int32Array.from(labels, (l) => li.get(l)!);
  const N = texts.length;

  // 1. featurise (two blocks) + document frequencies
  const charWeight = opts.charWeight ?? 1;
  const counts: Array<[SparseCounts, SparseCounts]> = new Array(N);
  const df = new Int32Array(dim);
  for (let i = 0; i < N; i++) {
    const [words, chars] = featureBlocks(texts[i]!);
    counts[i] = [hashFeatures(words, dim), hashFeatures(chars, dim)];
    for (const block of counts[i]!) for (const b of block.idx) df[b]!++;
    if (i % 500 === 0) opts.onProgress?.(i, N, 'features');
  }
  opts.onProgress?.(N, N, 'features');
  const rowOf = new Int32Array(dim).fill(-1);
  let nRows = 0;
  for (let b = 0; b < dim; b++) if (df[b]! > 0) rowOf[b] = nRows++;
  const idf = new Float32Array(nRows);
  for (let b = 0; b < dim; b++) if (rowOf[b]! >= 0) idf[rowOf[b]!] = Math.log((1 + N) / (1 + df[b]!)) + 1;
  const idfUnseen = Math.log(1 + N) + 1;

  // 2. tf-idf vectors: each block L2-normalised, then weighted as at scoring time (blockScales)
  const X: Vector[] = counts.map((blocks) => {
    const parts = blocks.map(({ idx, tf }) => {
      const r = new Int32Array(idx.length);
      const v = new Float32Array(idx.length);
      let n2 = 0;
      for (let k = 0; k < idx.length; k++) {
        r[k] = rowOf[idx[k]!]!;
        v[k] = (1 + Math.log(tf[k]!)) * idf[r[k]!]!;
        n2 += v[k]! * v[k]!;
      }
      return { r, v, n2 };
    });
    const [w, c] = parts as [typeof parts[0], typeof parts[0]];
    const [a, b] = blockScales(w.n2, c.n2, charWeight);
    const idx = new Int32Array(w.r.length + c.r.length);
    const val = new Float32Array(idx.length);
    idx.set(w.r); idx.set(c.r, w.r.length);
    for (let k = 0; k < w.v.length; k++) val[k] = w.v[k]! * a;
    for (let k = 0; k < c.v.length; k++) val[w.v.length + k] = c.v[k]! * b;
    return { idx, val };
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
      if ((t & 4095) === 0) opts.onProgress?.(t, total, `logistic regression, epoch ${ep + 1}/${epochs}`);
    }
  }
  opts.onProgress?.(total, total, `logistic regression, epoch ${epochs}/${epochs}`);
  for (let j = 0; j < W.length; j++) W[j] = W[j]! - U[j]! / t;
  const bias = new Float32Array(C);
  for (let c = 0; c < C; c++) bias[c] = b[c]! - bU[c]! / t;
  const lr: Member = { W, bias, spread: spread(W, X, C) };
  const svm = opts.svm === 0 ? undefined : trainOneVsRestSvm(X, y, C, nRows, opts.svmC ?? 1, rand, opts.onProgress);
  const nb = opts.nb === 0 ? undefined : complementNB(X, y, C, nRows, opts.nbAlpha ?? 0.03);
  opts.onProgress?.(1, 1, 'done');
  return {
    labels: labelSet, dim, rowOf, idf, idfUnseen, charWeight, examples: N, lr,
    svm: svm && { ...svm, spread: spread(svm.W, X, C) },
    nb: nb && { W: nb, bias: new Float32Array(C), spread: spread(nb, X, C) },
  };
}

/**
 * Log-linear pooling into one weight matrix (so scoring costs the same as a single linear model): each member is
 * rescaled so that the spread of its training scores matches that of the LR logits, then added with its weight.
 */
export function poolMembers(m: Members, weights: EnsembleWeights): LinearModel {
  const W = Float32Array.from(m.lr.W);
  const bias = Float32Array.from(m.lr.bias);
  for (const [member, weight] of [[m.svm, weights.svm], [m.nb, weights.nb]] as const) {
    if (!member || weight === 0) continue;
    const scale = member.spread > 0 ? (weight * m.lr.spread) / member.spread : 0;
    for (let j = 0; j < W.length; j++) W[j]! += scale * member.W[j]!;
    for (let c = 0; c < bias.length; c++) bias[c]! += scale * member.bias[c]!;
  }
  return new LinearModel({
    labels: m.labels, dim: m.dim, rowOf: m.rowOf, W, idf: m.idf, bias, idfUnseen: m.idfUnseen, charWeight: m.charWeight,
    meta: { examples: m.examples, at: new Date().toISOString(), ensemble: weights },
  });
}

/**
 * Complement naive Bayes (Rennie et al. 2003) on the same tf-idf vectors: w_cf = −log θ_{¬c,f}, each class row
 * normalised by Σ_f |w_cf|, centred over classes per feature (does not change the ranking).
 */
function complementNB(X: Vector[], y: Int32Array, C: number, nRows: number, alpha: number): Float32Array {
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
  return V;
}

/** Spread (std over classes, averaged over ≤ 500 training documents) of the scores x·W. */
function spread(W: Float32Array, X: Vector[], C: number): number {
  let sum = 0;
  const a = new Float64Array(C);
  const step = Math.max(1, Math.floor(X.length / 500));
  for (let i = 0; i < X.length; i += step) {
    const { idx, val } = X[i]!;
    a.fill(0);
    for (let k = 0; k < idx.length; k++) {
      const base = idx[k]! * C;
      for (let c = 0; c < C; c++) a[c]! += val[k]! * W[base + c]!;
    }
    sum += std(a);
  }
  return sum;
}

const SVM_EPS = 0.1; // stopping tolerance on the projected-gradient spread (LIBLINEAR default)
const SVM_MAX_PASSES = 40;
/**
 * One-vs-rest L2-regularised L2-loss SVMs by dual coordinate descent (Hsieh et al. 2008, LIBLINEAR's default solver),
 * with the bias as a constant feature.
 */
function trainOneVsRestSvm(X: Vector[], y: Int32Array, C: number, nRows: number, cost: number, rand: () => number,
  onProgress?: TrainOptions['onProgress']): { W: Float32Array; bias: Float32Array } {
  const N = X.length;
  const W = new Float32Array(nRows * C);
  const bias = new Float32Array(C);
  const w = new Float64Array(nRows);
  const alpha = new Float64Array(N);
  const D = 1 / (2 * cost);
  const order = Int32Array.from({ length: N }, (_, i) => i);
  const Q = Float64Array.from(X, ({ val }) => val.reduce((s, v) => s + v * v, 0) + 1 + D); // + 1: the bias feature
  for (let c = 0; c < C; c++) {
    w.fill(0); alpha.fill(0);
    let wb = 0;
    // shrinking as in LIBLINEAR: examples at the bound (α = 0) that look settled leave the active set for a while
    let active = N;
    let pgMaxOld = Infinity;
    // real data converges in ~12 passes (77 intents: max 15); the cap bounds classes with no signal
    for (let iter = 0; iter < SVM_MAX_PASSES; iter++) {
      for (let k = active - 1; k > 0; k--) { const j = Math.floor(rand() * (k + 1)); const t = order[k]!; order[k] = order[j]!; order[j] = t; }
      let pgMax = -Infinity, pgMin = Infinity;
      for (let k = 0; k < active; k++) {
        const i = order[k]!;
        const { idx, val } = X[i]!;
        const yi = y[i] === c ? 1 : -1;
        let dot = wb;
        for (let f = 0; f < idx.length; f++) dot += w[idx[f]!]! * val[f]!;
        const G = yi * dot - 1 + D * alpha[i]!;
        let PG = G;
        if (alpha[i] === 0) {
          if (G > pgMaxOld) { active--; order[k] = order[active]!; order[active] = i; k--; continue; }
          if (G > 0) PG = 0;
        }
        if (PG > pgMax) pgMax = PG;
        if (PG < pgMin) pgMin = PG;
        if (Math.abs(PG) < 1e-12) continue;
        const old = alpha[i]!;
        alpha[i] = Math.max(old - G / Q[i]!, 0);
        const d = (alpha[i]! - old) * yi;
        for (let f = 0; f < idx.length; f++) w[idx[f]!]! += d * val[f]!;
        wb += d;
      }
      if (pgMax - pgMin <= SVM_EPS) {
        if (active === N) break;
        active = N; pgMaxOld = Infinity; // check the whole set once more before stopping
        continue;
      }
      pgMaxOld = pgMax <= 0 ? Infinity : pgMax;
    }
    for (let r = 0; r < nRows; r++) W[r * C + c] = w[r]!;
    bias[c] = wb;
    onProgress?.(c + 1, C, 'one-vs-rest SVMs');
  }
  return { W, bias };
}
function std(a: Float64Array): number {
  let m = 0;
  for (const x of a) m += x;
  m /= a.length;
  let v = 0;
  for (const x of a) v += (x - m) * (x - m);
  return Math.sqrt(v / a.length);
}

const WEIGHT_GRID = { svm: [0, 0.5, 1, 2], nb: [0, 0.25, 0.5, 1] };

/**
 * Train with model selection and probability calibration. Members trained on ~85 % of the examples (hash split)
 * are scored on the other ~15 %: the pooling weights with the least log-loss there (smoother, so less noisy than accuracy) are chosen,
 * unless opts fixes them, and the softmax temperature is fitted for them. The final members are then trained on
 * everything and pooled with the chosen weights. Which members help depends on the data: on short, many-class
 * intent data the margin-based SVM helps and naive Bayes hurts; on our smaller bilingual corpus it is the other way.
 */
export function trainCalibrated(texts: string[], labels: string[], opts: TrainOptions = {}): LinearModel {
  const fit: number[] = [];
  const cal: number[] = [];
  texts.forEach((t, i) => ((fnv1a('cal:' + t) % 100) < 15 ? cal : fit).push(i));
  let weights: EnsembleWeights = { svm: opts.svm ?? DEFAULT_WEIGHTS.svm, nb: opts.nb ?? DEFAULT_WEIGHTS.nb };
  let temperature = 1;
  if (cal.length >= 20 && new Set(fit.map((i) => labels[i])).size > 1) {
    const progress = opts.onProgress;
    const m = trainMembers(fit.map((i) => texts[i]!), fit.map((i) => labels[i]!), {
      ...opts, onProgress: progress && ((done, total, phase) => progress(done, total, phase === 'done' ? 'model selection done' : `model selection: ${phase}`)),
    });
    const choice = selectWeights(m, cal.map((i) => texts[i]!), cal.map((i) => labels[i]!), {
      svm: opts.svm !== undefined || !m.svm ? [weights.svm] : WEIGHT_GRID.svm,
      nb: opts.nb !== undefined || !m.nb ? [weights.nb] : WEIGHT_GRID.nb,
    });
    weights = choice.weights;
    temperature = choice.temperature;
  }
  const model = poolMembers(trainMembers(texts, labels, { ...opts, svm: weights.svm, nb: weights.nb }), weights);
  model.temperature = Math.round(temperature * 1000) / 1000;
  return model;
}

/** Grid search of pooling weights and temperature on held-apart examples. */
function selectWeights(m: Members, texts: string[], labels: string[], grid: { svm: number[]; nb: number[] }): { weights: EnsembleWeights; temperature: number } {
  const li = new Map(m.labels.map((l, i) => [l, i]));
  const gold = labels.map((l) => li.get(l) ?? -1);
  // scores of each member alone (pooling is linear, so any weighting is a sum of these)
  const alone = (w: EnsembleWeights) => { const p = poolMembers(m, w); return texts.map((t) => p.scores(t)); };
  const base = alone({ svm: 0, nb: 0 });
  const svmOnly = m.svm ? alone({ svm: 1, nb: 0 }).map((s, k) => s.map((x, c) => x - base[k]![c]!)) : undefined;
  const nbOnly = m.nb ? alone({ svm: 0, nb: 1 }).map((s, k) => s.map((x, c) => x - base[k]![c]!)) : undefined;
  let best = { nll: Infinity, weights: { svm: 0, nb: 0 } as EnsembleWeights, temperature: 1 };
  for (const svm of grid.svm) for (const nb of grid.nb) {
    const S = base.map((s, k) => s.map((x, c) => x + svm * (svmOnly?.[k]![c] ?? 0) + nb * (nbOnly?.[k]![c] ?? 0)));
    const { nll, temperature } = fitTemperature(S, gold);
    if (nll < best.nll) best = { nll, weights: { svm, nb }, temperature };
  }
  return best;
}

/** Softmax temperature with the least log-loss. */
function fitTemperature(S: Float32Array[], gold: number[]): { nll: number; temperature: number } {
  let best = { nll: Infinity, temperature: 1 };
  for (let T = 0.05; T <= 3; T *= 1.1) {
    let nll = 0;
    S.forEach((s, k) => {
      const p = softmax(s.map((x) => x / T));
      nll -= Math.log(Math.max(1e-9, gold[k]! < 0 ? 1e-9 : p[gold[k]!]!));
    });
    if (nll < best.nll) best = { nll, temperature: T };
  }
  return best;
}
