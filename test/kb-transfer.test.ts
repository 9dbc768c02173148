// kb:import and kb:export: Markdown with front matter out of and back into PostgreSQL, idempotently.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { exportArticles, importArticles } from '../kb/transfer';
import { articleHistory } from '../schema/kb-repository';
import { startTestStack, type TestStack } from './helpers/stack';

let stack: TestStack;
test.before(async () => {
  stack = await startTestStack({ worker: false });
});
test.after.always(async () => {
  await stack?.close();
});

test.serial('export then import is a round trip; an edited file adds one version, a broken one is reported by name', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kb-export-'));
  const progress: Array<[number, number]> = [];
  const files = await exportArticles(stack.db, dir, {}, (done, total) => progress.push([done, total]));
  t.true(files.length >= 80, `${files.length} articles`);
  t.deepEqual(progress[progress.length - 1], [files.length, files.length]);
  const waiting = path.join(dir, 'en', 'rate_table', 'fare-waiting-en.md');
  t.true(files.includes(waiting));
  t.regex(fs.readFileSync(waiting, 'utf8'), /^---\narticleId: fare-waiting-en\n[\s\S]*\n---\n# Waiting fee rates[\s\S]*```yaml rates/);

  const again = await importArticles(stack.db, dir, 'test:import');
  t.deepEqual(again, { created: [], unchanged: files.length, failed: [] });

  fs.writeFileSync(waiting, fs.readFileSync(waiting, 'utf8').replace('title: Waiting fee rates', 'title: Waiting fee rates (revised)').replace(/effectiveFrom: .*/, 'effectiveFrom: 2026-11-01T00:00:00.000Z'));
  const broken = path.join(dir, 'en', 'broken.md');
  fs.writeFileSync(broken, '---\nkind: novel\n---\nno title');
  const edited = await importArticles(stack.db, dir, 'test:import');
  t.deepEqual(edited.created, ['fare-waiting-en v2']);
  t.is(edited.unchanged, files.length - 1);
  t.is(edited.failed.length, 1);
  t.is(edited.failed[0]!.file, broken);
  t.regex(edited.failed[0]!.error, /kind one of/);
  const versions = await articleHistory(stack.db, 'fare-waiting-en');
  t.deepEqual(versions.map((v) => [v.version, v.title, v.createdBy]), [[1, 'Waiting fee rates', 'system:kb-seed'], [2, 'Waiting fee rates (revised)', 'test:import']]);

  // with history every version is a file, and importing them all changes nothing
  const historyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kb-history-'));
  const all = await exportArticles(stack.db, historyDir, { history: true });
  t.true(all.includes(path.join(historyDir, 'en', 'rate_table', 'fare-waiting-en.v1.md')));
  t.true(all.includes(path.join(historyDir, 'en', 'rate_table', 'fare-waiting-en.v2.md')));
  t.deepEqual((await importArticles(stack.db, historyDir, 'test:import')).created, []);
});

test.serial('JSON export and import: one file, the same articles; a bad entry is reported by its index', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kb-json-'));
  const [file] = await exportArticles(stack.db, dir, { json: true });
  t.is(file, path.join(dir, 'kb.json'));
  const rows = JSON.parse(fs.readFileSync(file!, 'utf8')) as Array<{ articleId: string; title: string }>;
  t.true(rows.length >= 80);
  t.true(rows.some((r) => r.articleId === 'fare-cross-city-zh'));
  t.like(await importArticles(stack.db, file!, 'test:json'), { created: [], unchanged: rows.length, failed: [] });
  const edited = rows.map((r) => (r.articleId === 'faq-night-en' ? { ...r, title: 'Why are night orders dearer?', effectiveFrom: '2026-11-15T00:00:00.000Z' } : r));
  fs.writeFileSync(file!, JSON.stringify([...edited, { kind: 'faq' }]));
  const report = await importArticles(stack.db, file!, 'test:json');
  t.deepEqual(report.created, ['faq-night-en v2']);
  t.is(report.failed.length, 1);
  t.is(report.failed[0]!.file, `${file}[${rows.length}]`);
});
