/**
 * Train the intake classifier.
 *   npm run nlp:train                                   # project corpus (data/corpus), train split → nlp/model.json
 *   npm run nlp:train -- --data FILE.csv|FILE.jsonl [--text-column text --label-column label] [--out model.json]
 *        [--final all|train] [--split hash|stratified] [--epochs 12 --lr 6 --l2 1e-6 --dim 18 --svm W --nb W]
 * The held-out split is deterministic (see nlp/corpus.ts): ~20 % of texts by hash, or exactly 20 % of each label
 * with --split stratified (for a public data set that ships as one file). Held-out accuracy is measured
 * with a model trained on the rest; then the final model is trained on `--final` rows: `all` (the default with
 * --data: a model you ship should learn from every example) or `train` (the default for the project corpus, whose
 * held-out split the tests measure the built-in model on).
 * With --data the default output is ./model.json (never silently replaces the built-in nlp/model.json).
 * --svm / --nb fix the ensemble weights instead of choosing them on held-apart examples (nlp/model.ts).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadProjectCorpus, type Example } from '../corpus';
import { MODEL_PATH } from '../index';
import { poolMembers, trainCalibrated, trainMembers } from '../training';
import { normalize } from '../text';
import { labelledFromArgs, parseArgs, progressBar, splitFromArgs } from './common';

const args = parseArgs(process.argv.slice(2));
const dataFile = typeof args.data === 'string' ? args.data : undefined;
const out = resolve(typeof args.out === 'string' ? args.out : dataFile ? 'model.json' : MODEL_PATH);
const num = (k: string) => (typeof args[k] === 'string' ? Number(args[k]) : undefined);
const opts = { epochs: num('epochs'), lr: num('lr'), l2: num('l2'), dim: num('dim') ? 1 << num('dim')! : undefined, svm: num('svm'), nb: num('nb') };
const final = args.final ?? (dataFile ? 'all' : 'train');
if (final !== 'all' && final !== 'train') { console.error('--final must be all or train'); process.exit(1); }

const all: Example[] = labelledFromArgs(args) ?? loadProjectCorpus();
if (all.length === 0) { console.error(`no examples found in ${dataFile ?? 'data/corpus'}`); process.exit(1); }
const { train, test } = splitFromArgs(args, all);
console.error(`${all.length} examples, ${new Set(all.map((e) => e.label)).size} labels; train ${train.length}, held-out ${test.length}`);

const t0 = performance.now();
let model = trainCalibrated(train.map((e) => normalize(e.text)), train.map((e) => e.label), { ...opts, onProgress: progressBar('train ') });
const secs = (performance.now() - t0) / 1000;
let acc: number | undefined;
if (test.length) {
  let ok = 0;
  for (const e of test) {
    const p = model.predict(normalize(e.text));
    let b = 0;
    for (let i = 1; i < p.length; i++) if (p[i]! > p[b]!) b = i;
    if (model.labels[b] === e.label) ok++;
  }
  acc = ok / test.length;
}
console.log(`trained on ${train.length} examples in ${secs.toFixed(1)} s`);
console.log(acc === undefined ? 'no held-out examples' : `held-out accuracy (model only): ${(acc * 100).toFixed(2)}% on ${test.length} examples`);
if (final === 'all' && test.length) {
  // the pooling weights and temperature chosen above carry over: one more training, not another model selection
  const weights = model.meta.ensemble!;
  const temperature = model.temperature;
  model = poolMembers(trainMembers(all.map((e) => normalize(e.text)), all.map((e) => e.label), { ...opts, ...weights, onProgress: progressBar('final ') }), weights);
  model.temperature = temperature;
  console.log(`final model trained on all ${all.length} examples`);
}
const rows = final === 'all' ? 'all rows' : 'train split';
model.meta = { ...model.meta, source: `${dataFile ?? 'data/corpus'} (${rows})`, heldOutAccuracy: acc };
console.log(`ensemble weights ${JSON.stringify(model.meta.ensemble)}, temperature ${model.temperature}`);
const json = JSON.stringify(model.toJSON());
writeFileSync(out, json);
console.log(`wrote ${out} (${(json.length / 1024).toFixed(0)} KiB)`);
