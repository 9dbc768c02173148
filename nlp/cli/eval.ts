/**
 * Evaluate a model.
 *   npm run nlp:eval                                    # built-in nlp/model.json on the project corpus test split,
 *                                                       # model-only and full pipeline (rules, splitting, triage), plus multi-issue corpus
 *   npm run nlp:eval -- --data FILE.csv|FILE.tsv|FILE.jsonl [--model model.json] [--text-column text --label-column label] [--split [stratified]]
 *   npm run nlp:eval -- --heldout [--failures]         # only the issue-22 goals on data/heldout (never trained or tuned on)
 *   npm run nlp:eval -- --dev [--failures]             # the same goals on data/dev, the development set that IS tuned on
 * With --data every row of FILE is evaluated (use a separate test file); add --split to evaluate only
 * the rows that fall in the deterministic held-out split (nlp/corpus.ts), --split stratified for the per-label one.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadMultiCorpus, loadProjectCorpus, splitExamples, type Example } from '../corpus';
import { classifyFeedback, MODEL_PATH, setModel } from '../index';
import { LinearModel, type ModelJson } from '../model';
import { DEV_DIR, formatQuality, loadHeldout, measureQuality } from '../quality';
import { normalize } from '../text';
import { computeMetrics, formatMetrics, labelledFromArgs, parseArgs, progressBar, splitFromArgs } from './common';

const args = parseArgs(process.argv.slice(2));
const dataFile = typeof args.data === 'string' ? args.data : undefined;
const modelPath = resolve(typeof args.model === 'string' ? args.model : MODEL_PATH);
const model = LinearModel.fromJSON(JSON.parse(readFileSync(modelPath, 'utf8')) as ModelJson);
const labelled = labelledFromArgs(args);

/** Issue 22's goals on the messages kept apart in data/heldout (see nlp/quality.ts); printed last by the default run. */
function printHeldout(dev = false): void {
  setModel(model);
  const messages = dev ? loadHeldout(DEV_DIR) : loadHeldout();
  if (!messages.length) return;
  const q = measureQuality(messages, (text) => classifyFeedback({ text }).issues.map((i) => `${i.category}/${i.subtype}`));
  console.log(dev
    ? `\n# development messages (data/dev, ${messages.length}; written for tuning, apart from data/heldout and the corpus)\n`
    : `\n# held-out messages (data/heldout, ${messages.length}; never trained or tuned on)\n`);
  console.log(formatQuality(q));
  if (args.failures) for (const f of q.failures) console.log(`  ${f.file}: ${f.text}\n      gold ${f.gold.join(' + ')}\n      got  ${f.got.join(' + ')}`);
}
if (args.heldout) { printHeldout(); process.exit(0); }
if (args.dev) { printHeldout(true); process.exit(0); }
const examples: Example[] = labelled ? (args.split ? splitFromArgs(args, labelled).test : labelled) : splitExamples(loadProjectCorpus()).test;
if (!examples.length) { console.error('no examples to evaluate'); process.exit(1); }

const bar = progressBar('eval ');
const gold = examples.map((e) => e.label);
const t0 = performance.now();
const pred = examples.map((e, i) => {
  if (i % 200 === 0) bar(i, examples.length, 'model');
  const p = model.predict(normalize(e.text));
  let b = 0;
  for (let k = 1; k < p.length; k++) if (p[k]! > p[b]!) b = k;
  return model.labels[b]!;
});
bar(examples.length, examples.length, 'done');
const ms = performance.now() - t0;
console.log(`# model only — ${modelPath}\n${examples.length} examples from ${dataFile ?? 'data/corpus (held-out split)'}, ${(examples.length / (ms / 1000)).toFixed(0)} texts/s\n`);
console.log(formatMetrics(computeMetrics(gold, pred)));
const byLang = (got: string[]) => ['zh', 'en', 'mixed'].map((l) => {
  let ok = 0, n = 0;
  examples.forEach((e, i) => { if ((e.lang ?? '?') === l) { n++; if (got[i] === e.label) ok++; } });
  return n ? `${l} ${(ok / n * 100).toFixed(1)}% of ${n}` : '';
}).filter(Boolean).join(', ');
if (examples.some((e) => e.lang)) console.log(`\nby language: ${byLang(pred)}`);

if (!dataFile) {
  // full pipeline on the same held-out texts: single-label texts must come out as exactly one issue
  setModel(model);
  const pipe = examples.map((e) => {
    const r = classifyFeedback({ text: e.text });
    return r.issues.length === 1 ? `${r.issues[0]!.category}/${r.issues[0]!.subtype}` : `split:${r.issues.map((i) => `${i.category}/${i.subtype}`).join('+')}`;
  });
  const splitCount = pipe.filter((p) => p.startsWith('split:')).length;
  const triaged = pipe.filter((p) => p === 'triage/unclear').length;
  const pm = computeMetrics(gold, pipe.map((p) => (p.startsWith('split:') ? 'split/(several issues)' : p)));
  console.log(`\n# full pipeline (rules, clause splitting, confidence threshold)\n`);
  const goldTriage = pipe.filter((p, i) => p === 'triage/unclear' && gold[i] === 'triage/unclear').length;
  console.log(`accuracy ${(pm.accuracy * 100).toFixed(2)}%  macro-F1 ${(pm.macroF1 * 100).toFixed(2)}%  (over-split ${splitCount}, triaged ${triaged} of which ${goldTriage} gold triage)`);
  console.log(`by language: ${byLang(pipe)}`);
  console.log(pm.confusions.slice(0, 10).map((c) => `  ${String(c.count).padStart(4)}  ${c.gold} → ${c.predicted}`).join('\n'));

  const multi = splitExamples(loadMultiCorpus());
  for (const [name, set] of [['train', multi.train], ['held-out', multi.test]] as const) {
    if (!set.length) continue;
    let full = 0, countOk = 0;
    for (const m of set) {
      const r = classifyFeedback({ text: m.text });
      const got = r.issues.map((i) => `${i.category}/${i.subtype}`);
      if (got.length === m.labels.length) countOk++;
      if (got.join('|') === m.labels.join('|')) full++;
    }
    console.log(`\n# multi-issue corpus (${name}, ${set.length} messages): fully right ${(full / set.length * 100).toFixed(1)}%, right number of issues ${(countOk / set.length * 100).toFixed(1)}%`);
  }
  printHeldout();
}
