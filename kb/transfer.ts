// `kb:import` and `kb:export`: Markdown files with front matter in and out of the database. Importing is
// idempotent (a file whose content already is a version of its article adds nothing), so an export imported
// into another database, or imported twice, gives the same articles.
import fs from 'node:fs';
import path from 'node:path';
import { printMarkdown } from '../domain/kb-article';
import type { Database } from '../schema';
import { allArticles, saveArticleVersion } from '../schema/kb-repository';
import { markdownFiles, readArticleFile } from './files';

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
  const files = markdownFiles(target);
  const report: ImportReport = { created: [], unchanged: 0, failed: [] };
  for (const [i, file] of files.entries()) {
    try {
      const { article, created } = await saveArticleVersion(db, readArticleFile(file), importedBy, { onlyIfChanged: true });
      if (created) report.created.push(`${article.articleId} v${article.version}`);
      else report.unchanged++;
    } catch (err) {
      report.failed.push({ file, error: (err as Error).message });
    }
    onProgress(i + 1, files.length);
  }
  return report;
}

/** Writes `<dir>/<lang>/<kind>/<articleId>.md` for every article in force (`history`: `<articleId>.v<N>.md` for every version). */
export async function exportArticles(db: Database, dir: string, opts: { history?: boolean } = {}, onProgress: Progress = () => {}): Promise<string[]> {
  const articles = await allArticles(db, opts);
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
