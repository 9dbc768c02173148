// `npm run kb:import -- FILE|DIR` and `npm run kb:export -- [DIR] [--history] [--json]`: knowledge-base articles as
// Markdown with front matter (or one JSON file), against DATABASE_URL (or the embedded PGlite of `npm start`, which must not be
// running at the same time: PGlite has one process).
import path from 'node:path';
import { loadConfig } from '../config';
import { exportArticles, importArticles, progressBar } from '../kb/transfer';
import { openDatabase, prepareDatabase } from '../schema';

const [command, ...args] = process.argv.slice(2);
const config = loadConfig();
const usage = 'usage: npm run kb:import -- FILE|DIR   |   npm run kb:export -- [DIR] [--history] [--json]';

if (command !== 'import' && command !== 'export') {
  console.error(usage);
  process.exit(2);
}
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  await prepareDatabase(database);
  if (command === 'import') {
    const target = args.find((a) => !a.startsWith('--'));
    if (!target) throw new Error(usage);
    const report = await importArticles(database.db, path.resolve(target), process.env.KB_IMPORTED_BY ?? 'system:kb-import', progressBar('import'));
    console.log(`[kb] ${report.created.length} version(s) created, ${report.unchanged} unchanged, ${report.failed.length} failed`);
    for (const f of report.failed) console.error(`[kb] ${f.file}: ${f.error}`);
    process.exitCode = report.failed.length ? 1 : 0;
  } else {
    const dir = path.resolve(args.find((a) => !a.startsWith('--')) ?? 'kb-export');
    const files = await exportArticles(database.db, dir, { history: args.includes('--history'), json: args.includes('--json') }, progressBar('export'));
    console.log(`[kb] wrote ${files.length} article(s) to ${dir}`);
  }
} finally {
  await database.close();
}
