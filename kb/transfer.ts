// `kb:import` and `kb:export`: Markdown files with front matter (or one JSON file) in and out of the database. Importing is
// idempotent (a file whose content already is a version of its article adds nothing), so an export imported
// into another database, or imported twice, gives the same articles.
import fs from 'node:fs';
import path from 'node:path';
import { printMarkdown, type KbArticleInput } from '../domain/kb-article';
import type { Database } from '../schema';
import { allArticles, saveArticleVersion } from '../schema/kb-repository';
import { markdownFiles, readArticleFile, readArticlesJson } from './files';

export interface Progress {
  (done: number, total: number): void;
}

export interface ImportReport {
  created: string[];
  unchanged: number;
  failed: Array<{ file: string; error: string }>;
}

/** Imports every Markdown file under `target` (a file or a directory) as `importedBy`. Bad files are reported, not fatal. */
export async function importArticles(db: Database, target: string, importedBy: string, onProgress: Progress = () => {}): Promise<ImportReport> {
  const files = markdownFiles(target, { json: true });
  const report: ImportReport = { created: [], unchanged: 0, failed: [] };
  const save = async (article: KbArticleInput) => {
    const saved = await saveArticleVersion(db, article, importedBy, { onlyIfChanged: true });
    if (saved.created) report.created.push(`${saved.article.articleId} v${saved.article.version}`);
    else report.unchanged++;
  };
  for (const [i, file] of files.entries()) {
    try {
      if (file.endsWith('.json')) {
        for (const entry of readArticlesJson(file)) {
          if (entry.article) await save(entry.article);
          else report.failed.push({ file: entry.at, error: entry.error! });
        }
      } else await save(readArticleFile(file));
    } catch (err) {
      report.failed.push({ file, error: (err as Error).message });
    }
    onProgress(i + 1, files.length);
  }
  return report;
}

/**
 * Writes `<dir>/<lang>/<kind>/<articleId>.md` for every article in force (`history`: `<articleId>.v<N>.md` for every
 * version), or with `json` one file `<dir>/kb.json` holding them all.
 */
export async function exportArticles(db: Database, dir: string, opts: { history?: boolean; json?: boolean } = {}, onProgress: Progress = () => {}): Promise<string[]> {
  const articles = await allArticles(db, opts);
  if (opts.json) {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'kb.json');
    const rows = articles.map(({ articleId, pairId, kind, lang, title, body, tags, sopTypes, categories, effectiveFrom, version }) => ({ articleId, pairId, kind, lang, title, body, tags, sopTypes, categories, effectiveFrom: effectiveFrom.toISOString(), version }));
    fs.writeFileSync(file, JSON.stringify(rows, null, 1));
    onProgress(articles.length, articles.length);
    return [file];
  }
  const written: string[] = [];
  for (const [i, a] of articles.entries()) {
    const folder = path.join(dir, a.lang, a.kind);
    fs.mkdirSync(folder, { recursive: true });
    const file = path.join(folder, opts.history ? `${a.articleId}.v${a.version}.md` : `${a.articleId}.md`);
    fs.writeFileSync(file, printMarkdown({ ...a, effectiveFrom: a.effectiveFrom.toISOString() }));
    written.push(file);
    onProgress(i + 1, articles.length);
  }
  return written;
}

/** A one-line progress bar on a terminal (stderr), redrawn in place; nothing when stderr is not a terminal but the last line. */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = Date.now();
  return (done, total) => {
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    const rate = done / Math.max((Date.now() - started) / 1000, 0.001);
    const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${rate.toFixed(0)}/s`;
    if (stream.isTTY) stream.write(`\r${line}${done === total ? '\n' : ''}`);
    else if (done === total) stream.write(`${line}\n`);
  };
}
