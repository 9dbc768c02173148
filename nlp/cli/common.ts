/** Shared helpers of the nlp CLIs. */
import { loadLabelled, splitExamples, stratifiedSplit, type Example } from '../corpus';

/** The labelled file named by --data, read with --text-column / --label-column (defaults text, label); undefined without --data. */
export function labelledFromArgs(args: Record<string, string | true>): Example[] | undefined {
  if (typeof args.data !== 'string') return undefined;
  const column = (k: string, d: string) => (typeof args[k] === 'string' ? args[k] : d);
  return loadLabelled(args.data, column('text-column', 'text'), column('label-column', 'label'));
}

/** `--split stratified`: the per-label split for fixed public data sets; otherwise the per-text hash split. */
export function splitFromArgs(args: Record<string, string | true>, examples: Example[]): { train: Example[]; test: Example[] } {
  if (args.split !== undefined && args.split !== true && args.split !== 'hash' && args.split !== 'stratified') {
    console.error('--split must be hash or stratified'); process.exit(1);
  }
  return args.split === 'stratified' ? stratifiedSplit(examples) : splitExamples(examples);
}

export function parseArgs(argv: string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const [k, v] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (v !== undefined) out[k] = v;
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) out[k] = argv[++i]!;
    else out[k] = true;
  }
  return out;
}

export function progressBar(label = ''): (done: number, total: number, phase: string) => void {
  const tty = process.stderr.isTTY;
  let lastPct = -1;
  return (done, total, phase) => {
    const pct = total ? Math.floor((done / total) * 100) : 100;
    if (pct === lastPct && done !== total) return;
    lastPct = pct;
    const w = 30;
    const filled = Math.round((pct / 100) * w);
    const line = `${label}[${'#'.repeat(filled)}${'.'.repeat(w - filled)}] ${String(pct).padStart(3)}% ${phase}`;
    if (tty) process.stderr.write(`\r${line.padEnd(70)}${done === total && phase === 'done' ? '\n' : ''}`);
    else if (pct % 25 === 0 || phase === 'done') process.stderr.write(line + '\n');
  };
}

export interface Metrics {
  accuracy: number;
  macroF1: number;
  perClass: Array<{ label: string; precision: number; recall: number; f1: number; support: number }>;
  confusions: Array<{ gold: string; predicted: string; count: number }>;
}

export function computeMetrics(gold: string[], pred: string[]): Metrics {
  const labels = [...new Set([...gold, ...pred])].sort();
  let correct = 0;
  const conf = new Map<string, number>();
  for (let i = 0; i < gold.length; i++) {
    if (gold[i] === pred[i]) correct++;
    else conf.set(`${gold[i]}\t${pred[i]}`, (conf.get(`${gold[i]}\t${pred[i]}`) ?? 0) + 1);
  }
  const perClass = labels.map((label) => {
    let tp = 0, fp = 0, fn = 0, support = 0;
    for (let i = 0; i < gold.length; i++) {
      if (gold[i] === label) support++;
      if (pred[i] === label && gold[i] === label) tp++;
      else if (pred[i] === label) fp++;
      else if (gold[i] === label) fn++;
    }
    const precision = tp + fp ? tp / (tp + fp) : 0;
    const recall = tp + fn ? tp / (tp + fn) : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  const withSupport = perClass.filter((c) => c.support > 0);
  const macroF1 = withSupport.reduce((s, c) => s + c.f1, 0) / (withSupport.length || 1);
  const confusions = [...conf].map(([k, count]) => { const [g, p] = k.split('\t') as [string, string]; return { gold: g, predicted: p, count }; })
    .sort((a, b) => b.count - a.count);
  return { accuracy: gold.length ? correct / gold.length : 0, macroF1, perClass, confusions };
}

export function formatMetrics(m: Metrics, topConfusions = 10): string {
  const pct = (x: number) => (x * 100).toFixed(1).padStart(6);
  const w = Math.max(12, ...m.perClass.map((c) => c.label.length));
  const lines = [
    `accuracy  ${(m.accuracy * 100).toFixed(2)}%`,
    `macro-F1  ${(m.macroF1 * 100).toFixed(2)}%`,
    '',
    `${'label'.padEnd(w)}  precision  recall      F1  support`,
    ...m.perClass.map((c) => `${c.label.padEnd(w)}  ${pct(c.precision)}%  ${pct(c.recall)}%  ${pct(c.f1)}%  ${String(c.support).padStart(7)}`),
    '',
    'most confused (gold → predicted):',
    ...m.confusions.slice(0, topConfusions).map((c) => `  ${String(c.count).padStart(4)}  ${c.gold} → ${c.predicted}`),
  ];
  if (m.confusions.length === 0) lines.push('  (none)');
  return lines.join('\n');
}
