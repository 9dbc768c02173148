// Reading knowledge-base Markdown files (the bundled set in data/kb, or what `kb:import` is given).
// Synchronous: the sandbox reads its fare rules from the rate-table articles when its module loads.
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config';
import { parseMarkdown, ratesBlock, validateArticle, type KbArticleInput } from '../domain/kb-article';

export const BUNDLED_KB_DIR = path.join(projectRoot, 'data', 'kb');

/** Markdown files under a file or directory (and JSON exports with `json`), sorted so imports and seeds run in a stable order. */
export function markdownFiles(target: string, opts: { json?: boolean } = {}): string[] {
  const stat = fs.statSync(target);
  if (stat.isFile()) return [target];
  return fs
    .readdirSync(target, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && (e.name.endsWith('.md') || (opts.json === true && e.name.endsWith('.json'))))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** One file as an article; throws with the file name and every field problem. */
export function readArticleFile(file: string): KbArticleInput {
  let raw: unknown;
  try {
    raw = parseMarkdown(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
  const { article, errors } = validateArticle(raw);
  if (!article) throw new Error(`${file}: ${errors.map((e) => `${e.field} ${e.reason}`).join('; ')}`);
  return article;
}

/** A JSON export: an array of articles, each checked like a Markdown file (`<file>[i]` names a bad one). */
export function readArticlesJson(file: string): Array<{ article: KbArticleInput | null; error?: string; at: string }> {
  const list = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(list)) throw new Error(`${file}: a JSON import is an array of articles`);
  return list.map((raw, i) => {
    const { article, errors } = validateArticle(raw);
    return { article, at: `${file}[${i}]`, ...(article ? {} : { error: errors.map((e) => `${e.field} ${e.reason}`).join('; ') }) };
  });
}

/** The zh and en texts of a rate table must carry the same numbers: one table, two languages. */
export function checkRatePairs(articles: KbArticleInput[]): void {
  const byPair = new Map<string, string>();
  for (const a of articles) {
    if (a.kind !== 'rate_table') continue;
    const rates = JSON.stringify(ratesBlock(a.body));
    const key = `${a.pairId}@${a.effectiveFrom}`;
    const seen = byPair.get(key);
    if (seen !== undefined && seen !== rates) throw new Error(`rate table ${a.pairId} from ${a.effectiveFrom}: the zh and en texts carry different rates blocks`);
    byPair.set(key, rates);
  }
}

let bundled: KbArticleInput[] | undefined;
/** The bundled articles of data/kb (read once per process). */
export function bundledArticles(): KbArticleInput[] {
  if (!bundled) {
    const articles = markdownFiles(BUNDLED_KB_DIR).map(readArticleFile);
    checkRatePairs(articles);
    bundled = articles;
  }
  return bundled;
}

/** The rates block of a bundled rate table in force at `at` (files of one pair with different dates are its versions). */
export function bundledRates(pairId: string, at = new Date()): Record<string, unknown> {
  const candidates = bundledArticles()
    .filter((a) => a.pairId === pairId && a.kind === 'rate_table' && Date.parse(a.effectiveFrom) <= at.getTime())
    .sort((a, b) => Date.parse(b.effectiveFrom) - Date.parse(a.effectiveFrom));
  const rates = candidates[0] ? ratesBlock(candidates[0].body) : null;
  if (!rates) throw new Error(`no bundled rate table ${pairId} in ${BUNDLED_KB_DIR}`);
  return rates;
}
