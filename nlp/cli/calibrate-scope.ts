/**
 * Calibrate the out-of-scope gate's `scopeConfidence` (nlp/scope.ts, taxonomy.yaml):
 *   npx tsx nlp/cli/calibrate-scope.ts
 * For each value, the share of the calibration out-of-scope messages (data/calibration/out-of-scope.jsonl, written for
 * this and kept apart from data/heldout) sent to triage, and the share of real complaints of the corpus' held-out split
 * lost to triage (every issue triage). Never reads data/heldout.
 */
import { join } from 'node:path';
import { loadLabelled, loadProjectCorpus, PROJECT_ROOT, splitExamples } from '../corpus';
import { classifyFeedback, loadTaxonomy } from '../index';

const oos = loadLabelled(join(PROJECT_ROOT, 'data', 'calibration', 'out-of-scope.jsonl'), 'text', 'lang');
const complaints = splitExamples(loadProjectCorpus()).test.filter((e) => !e.label.startsWith('triage/'));
const settings = loadTaxonomy().settings;
const allTriage = (text: string) => classifyFeedback({ text }).issues.every((i) => i.category === 'triage');
console.log(`${oos.length} out-of-scope calibration messages, ${complaints.length} held-out-split complaints of the corpus`);
for (const c of [0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]) {
  settings.scopeConfidence = c;
  const caught = oos.filter((e) => allTriage(e.text)).length;
  const lost = complaints.filter((e) => allTriage(e.text)).length;
  console.log(`scopeConfidence ${c.toFixed(2)}: out-of-scope to triage ${(caught / oos.length * 100).toFixed(1)} %, complaints lost to triage ${(lost / complaints.length * 100).toFixed(1)} % (${lost})`);
}
