/**
 * Corpus loading and the deterministic held-out split.
 *
 * Split rule: an example is in the TEST split iff fnv1a(normalize(text).trim()) % 100 < 20 (≈ 20 %).
 * It depends only on the text, so it is stable across runs, machines and corpus growth, and duplicates
 * of the same text always land on the same side. `stratifiedSplit` is the variant for fixed public data sets.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fnv1a } from './features';
import { normalize } from './text';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CORPUS_DIR = join(PROJECT_ROOT, 'data', 'corpus');
export const TEST_PERCENT = 20;

export interface Example { text: string; label: string; lang?: string }
export interface MultiExample { text: string; labels: string[] }

export function isTest(text: string): boolean {
  return fnv1a(normalize(text).trim()) % 100 < TEST_PERCENT;
}

function readJsonl(file: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const s = line.trim();
    if (!s) continue;
    try { out.push(JSON.parse(s)); } catch { /* skip malformed line */ }
  }
  return out;
}

/** Minimal RFC-4180 CSV parser (quotes, escaped quotes, newlines inside quotes). */
export function parseCsv(src: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let q = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (q) {
      if (ch === '"') { if (src[i + 1] === '"') { cell += '"'; i++; } else q = false; } else cell += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') { row.push(cell); cell = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      row.push(cell); cell = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else cell += ch;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

/** Tab-separated values as public intent sets ship them: no quoting, one row a line. */
function parseTsv(src: string): string[][] {
  return src.replace(/^\uFEFF/, '').split(/\r?\n/).filter((line) => line.trim()).map((line) => line.split('\t'));
}

/** Load a CSV or TSV (with header) or JSONL file of labelled texts. */
export function loadLabelled(file: string, textCol = 'text', labelCol = 'label'): Example[] {
  const table = /\.csv$/i.test(file) ? parseCsv : /\.tsv$/i.test(file) ? parseTsv : undefined;
  if (table) {
    const [header, ...rows] = table(readFileSync(file, 'utf8'));
    if (!header) return [];
    const ti = header.indexOf(textCol);
    const li = header.indexOf(labelCol);
    if (ti < 0 || li < 0) throw new Error(`${file}: columns "${textCol}"/"${labelCol}" not found in header ${header.join(',')}`);
    return rows.map((r) => widenText(r, header.length, ti, li)).filter((r) => r[ti] && r[li]).map((r) => ({ text: r[ti]!, label: r[li]! }));
  }
  return readJsonl(file)
    .filter((o) => typeof o[textCol] === 'string' && typeof o[labelCol] === 'string')
    .map((o) => ({ text: o[textCol] as string, label: o[labelCol] as string, lang: o.lang as string | undefined }));
}

/**
 * A row with more cells than the header usually is a text with an unquoted comma (seen in public
 * intent datasets): the extra cells belong to the text column when it comes before the label.
 */
function widenText(row: string[], width: number, ti: number, li: number): string[] {
  const extra = row.length - width;
  if (extra <= 0 || ti > li) return row;
  return [...row.slice(0, ti), row.slice(ti, ti + extra + 1).join(','), ...row.slice(ti + extra + 1)];
}

/** Single-label project corpus: every data/corpus/*.jsonl except multi-*.jsonl. */
export function loadProjectCorpus(dir = CORPUS_DIR): Example[] {
  if (!existsSync(dir)) return [];
  const out: Example[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.jsonl') || f.startsWith('multi-')) continue;
    out.push(...loadLabelled(join(dir, f)));
  }
  return out;
}

/** Multi-issue corpus: data/corpus/multi-*.jsonl with {text, labels[]}. */
export function loadMultiCorpus(dir = CORPUS_DIR): MultiExample[] {
  if (!existsSync(dir)) return [];
  const out: MultiExample[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.jsonl') || !f.startsWith('multi-')) continue;
    for (const o of readJsonl(join(dir, f))) {
      if (typeof o.text === 'string' && Array.isArray(o.labels)) out.push({ text: o.text, labels: o.labels as string[] });
    }
  }
  return out;
}

export function splitExamples<T extends { text: string }>(xs: T[]): { train: T[]; test: T[] } {
  const train: T[] = [];
  const test: T[] = [];
  for (const x of xs) (isTest(x.text) ? test : train).push(x);
  return { train, test };
}

/**
 * Stratified split for a fixed public data set: within each label, examples are ordered by the same text hash
 * (then by text, so equal hashes cannot reorder) and the first round(n × 20 %) go to the test split. Every label
 * keeps its share, which a per-text hash only gives on average; the split depends only on the file's rows.
 */
export function stratifiedSplit<T extends { text: string; label: string }>(xs: T[]): { train: T[]; test: T[] } {
  const byLabel = new Map<string, Array<{ x: T; key: number }>>();
  for (const x of xs) {
    const rows = byLabel.get(x.label) ?? [];
    rows.push({ x, key: fnv1a(normalize(x.text).trim()) });
    byLabel.set(x.label, rows);
  }
  const testSet = new Set<T>();
  for (const rows of byLabel.values()) {
    rows.sort((a, b) => a.key - b.key || (a.x.text < b.x.text ? -1 : a.x.text > b.x.text ? 1 : 0));
    let n = Math.round((rows.length * TEST_PERCENT) / 100);
    while (n > 0 && n < rows.length && rows[n]!.x.text === rows[n - 1]!.x.text) n++; // a repeated text stays on one side
    for (const r of rows.slice(0, n)) testSet.add(r.x);
  }
  return { train: xs.filter((x) => !testSet.has(x)), test: xs.filter((x) => testSet.has(x)) };
}
