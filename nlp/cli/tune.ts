/**
 * Hyper-parameter selection by k-fold cross-validation on the TRAIN split only (the held-out split is never looked at
 * unless --heldout is given, which prints it for the final report).
 *   npx tsx nlp/cli/tune.ts [--folds 5] [--grid default|ensemble|base] [--heldout]
 *        [--data FILE.csv|FILE.tsv|FILE.jsonl --text-column text --label-column label [--split stratified]]   # tune on another labelled data set
 * Prints CV accuracy (overall and per language) and macro-F1 for every setting.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR, loadLabelled, loadProjectCorpus, type Example } from '../corpus';
import { fnv1a, setFeatureConfig, featureConfig } from '../features';
import { trainModel, type TrainOptions } from '../training';
import { normalize } from '../text';
import { computeMetrics, labelledFromArgs, parseArgs, splitFromArgs } from './common';

const args = parseArgs(process.argv.slice(2));
const K = Number(args.folds ?? 5);
const dataFile = typeof args.data === 'string' ? args.data : undefined;
const { train, test } = splitFromArgs(args, labelledFromArgs(args) ?? loadProjectCorpus());
const extraFile = join(CORPUS_DIR, 'extra-en.jsonl');
const extraTexts = new Set(!dataFile && existsSync(extraFile) ? loadLabelled(extraFile).map((e) => e.text) : []);
const norm = new Map<string, string>();
const N = (t: string) => { let n = norm.get(t); if (n === undefined) { n = normalize(t); norm.set(t, n); } return n; };
const fold = (e: Example) => fnv1a('fold:' + N(e.text).trim()) % K;

interface Setting { name: string; feat?: Partial<typeof featureConfig>; train?: TrainOptions }
function evaluate(s: Setting, trainSet: Example[], testSet: Example[]): { gold: string[]; pred: string[]; lang: string[] } {
  const m = trainModel(trainSet.map((e) => N(e.text)), trainSet.map((e) => e.label), s.train);
  const pred = testSet.map((e) => { const p = m.predict(N(e.text)); let b = 0; for (let i = 1; i < p.length; i++) if (p[i]! > p[b]!) b = i; return m.labels[b]!; });
  return { gold: testSet.map((e) => e.label), pred, lang: testSet.map((e) => e.lang ?? '?') };
}
function report(name: string, r: { gold: string[]; pred: string[]; lang: string[] }, secs: number): void {
  const m = computeMetrics(r.gold, r.pred);
  const by = (l: string) => { let ok = 0, n = 0; r.gold.forEach((g, i) => { if (r.lang[i] === l) { n++; if (g === r.pred[i]) ok++; } }); return n ? `${l} ${(ok / n * 100).toFixed(1)}` : ''; };
  console.log(`${name.padEnd(44)} acc ${(m.accuracy * 100).toFixed(2)}  F1 ${(m.macroF1 * 100).toFixed(2)}  ${['zh', 'en', 'mixed'].map(by).join('  ')}  (${secs.toFixed(1)} s)`);
}

const base: TrainOptions = {};
const grids: Record<string, Setting[]> = {
  base: [{ name: 'defaults' }],
  default: [
    { name: 'defaults (8 epochs, lr 6, l2 1e-6)' },
    { name: 'epochs 12', train: { epochs: 12 } },
    { name: 'lr 2', train: { lr: 2 } },
    { name: 'l2 1e-5', train: { l2: 1e-5 } },
    { name: 'no class weights', train: { classWeight: 'none' } },
    { name: 'characters ×2', train: { charWeight: 2 } },
    { name: 'characters ×0.5', train: { charWeight: 0.5 } },
    { name: 'en char 2-5', feat: { enMin: 2 } },
    { name: 'en char 3-6', feat: { enMax: 6 } },
    { name: 'concepts ×4', feat: { conceptRepeat: 4 } },
  ],
  // pooling weights: what trainCalibrated chooses among (see nlp/model.ts)
  ensemble: [
    { name: 'LR only', train: { svm: 0, nb: 0 } },
    { name: 'LR + NB 1', train: { svm: 0, nb: 1 } },
    { name: 'LR + SVM 0.5', train: { svm: 0.5, nb: 0 } },
    { name: 'LR + SVM 1', train: { svm: 1, nb: 0 } },
    { name: 'LR + SVM 0.5 + NB 1', train: { svm: 0.5, nb: 1 } },
    { name: 'LR + SVM 1 + NB 0.5', train: { svm: 1, nb: 0.5 } },
  ],
};
const grid = typeof args.grid === 'string' ? grids[args.grid] ?? [] : grids.default!;
const defaults = { ...featureConfig };
for (const s of grid) {
  setFeatureConfig({ ...defaults, ...s.feat });
  const t0 = performance.now();
  const all = { gold: [] as string[], pred: [] as string[], lang: [] as string[] };
  for (let k = 0; k < K; k++) {
    const r = evaluate({ ...s, train: { ...base, ...s.train } }, train.filter((e) => fold(e) !== k), train.filter((e) => fold(e) === k));
    all.gold.push(...r.gold); all.pred.push(...r.pred); all.lang.push(...r.lang);
  }
  report(`cv${K} ${s.name}`, all, (performance.now() - t0) / 1000);
  if (args.heldout) {
    const r = evaluate({ ...s, train: { ...base, ...s.train } }, train, test);
    report(`  held-out ${s.name}`, r, 0);
    const keep = test.map((e) => !extraTexts.has(e.text));
    const f = <T>(xs: T[]) => xs.filter((_, i) => keep[i]);
    report(`  held-out (original texts) ${s.name}`, { gold: f(r.gold), pred: f(r.pred), lang: f(r.lang) }, 0);
  }
}
setFeatureConfig(defaults);
