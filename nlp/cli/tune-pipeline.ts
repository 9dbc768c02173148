/**
 * Choose the segmentation / triage settings (taxonomy.yaml → settings) by cross-validation on the TRAIN split:
 * for each of k folds a calibrated model is trained on the other folds; the single-issue texts of the fold and the
 * train split of the multi-issue corpus (never used for training) go through the full pipeline for every setting.
 *   npx tsx nlp/cli/tune-pipeline.ts [--folds 5]
 * Prints, per setting: single-issue pipeline accuracy (one issue, right label), over-split and triage counts,
 * multi-issue fully right; sorted by single accuracy + multi fully right.
 */
import { fnv1a } from '../features';
import { loadMultiCorpus, loadProjectCorpus, splitExamples, type Example } from '../corpus';
import { classifyFeedback, loadTaxonomy, setModel } from '../index';
import { trainCalibrated } from '../training';
import { normalize } from '../text';
import { parseArgs } from './common';

const args = parseArgs(process.argv.slice(2));
const K = Number(args.folds ?? 5);
const { train } = splitExamples(loadProjectCorpus());
const multi = splitExamples(loadMultiCorpus()).train;
const fold = (e: Example) => fnv1a('fold:' + normalize(e.text).trim()) % K;
const settings = loadTaxonomy().settings;
const orig = { ...settings };

const penalties = [2, 3, 4, 6, 8];
const priors = [0.25, 0.5, 1];
const temps = [1, 1.5, 2, 3];
const evid = [3];
const minWholes = [0, 0.03];
const thresholds = [0.15, 0.2, 0.25, 0.35];
type Key = string;
const acc = new Map<Key, { ok: number; n: number; split: number; tri: number; mOk: number; mN: number }>();

for (let k = 0; k < K; k++) {
  const tr = train.filter((e) => fold(e) !== k);
  const te = train.filter((e) => fold(e) === k);
  setModel(trainCalibrated(tr.map((e) => normalize(e.text)), tr.map((e) => e.label)));
  settings.confidenceThreshold = 0;
  for (const pen of penalties) for (const pr of priors) for (const tp of temps) for (const ev of evid) for (const mw of minWholes) {
    Object.assign(settings, { switchPenalty: pen, wholeMessagePrior: pr, clauseTemperature: tp, ruleEvidence: ev, minIssueWholeProb: mw });
    const single = te.map((e) => ({ gold: e.label, issues: classifyFeedback({ text: e.text }).issues }));
    const mult = multi.map((m) => ({ gold: m.labels, issues: classifyFeedback({ text: m.text }).issues }));
    for (const th of thresholds) {
      const key = `pen ${pen} prior ${pr} temp ${tp} evid ${ev} minWhole ${mw} thr ${th}`;
      const a = acc.get(key) ?? { ok: 0, n: 0, split: 0, tri: 0, mOk: 0, mN: 0 };
      const lab = (i: { category: string; subtype: string; confidence: number }) => (i.confidence < th && i.confidence < 0.95 ? 'triage/unclear' : `${i.category}/${i.subtype}`);
      for (const s of single) {
        a.n++;
        if (s.issues.length > 1) { a.split++; continue; }
        const l = lab(s.issues[0]!);
        if (l === 'triage/unclear') a.tri++;
        if (l === s.gold) a.ok++;
      }
      for (const m of mult) { a.mN++; if (m.issues.map(lab).join('|') === m.gold.join('|')) a.mOk++; }
      acc.set(key, a);
    }
  }
  console.error(`fold ${k + 1}/${K} done`);
}
Object.assign(settings, orig);
const rows = [...acc].map(([key, a]) => ({ key, single: a.ok / a.n, multi: a.mOk / a.mN, split: a.split / K, tri: a.tri / K }));
rows.sort((x, y) => y.single + 0.5 * y.multi - (x.single + 0.5 * x.multi));
for (const r of rows.slice(0, Number(args.top ?? 30))) {
  console.log(`${r.key.padEnd(58)} single ${(r.single * 100).toFixed(2)}  multi ${(r.multi * 100).toFixed(1)}  over-split/fold ${r.split.toFixed(1)}  triaged/fold ${r.tri.toFixed(1)}`);
}
const cur = rows.find((r) => r.key === `pen ${orig.switchPenalty} prior ${orig.wholeMessagePrior} temp ${orig.clauseTemperature} evid ${orig.ruleEvidence} minWhole ${orig.minIssueWholeProb ?? 0} thr ${orig.confidenceThreshold}`);
if (cur) console.log(`current: single ${(cur.single * 100).toFixed(2)} multi ${(cur.multi * 100).toFixed(1)} over-split/fold ${cur.split.toFixed(1)} triaged/fold ${cur.tri.toFixed(1)}`);
