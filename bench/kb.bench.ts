// Knowledge-base search latency at scale and import rates, on PostgreSQL and on embedded PGlite.
//   npx tsx bench/kb.bench.ts [--articles 100000] [--pglite-articles 20000] [--searches 400] [--files 300]
//   npx tsx bench/kb.bench.ts --reuse     # searches only, on the PostgreSQL database a previous run loaded
// Loads the seeded articles plus generated ones (bulk insert, 1,000 per statement), then runs the labelled
// queries of data/kb-eval round-robin and reports p50/p95/p99 of searchKb (the route's work minus HTTP),
// Recall@3/MRR at that size, the kb:import rate (one version per file through saveArticleVersion) and the bulk rate.
// PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ticketflow_kb_bench), recreated.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { printMarkdown, type KbArticleInput } from '../domain/kb-article';
import { kbTokens } from '../domain/kb-text';
import { bundledArticles } from '../kb/files';
import { evaluateSearch, labelledQueries } from '../kb/eval';
import { importArticles } from '../kb/transfer';
import { freshTestDatabase } from '../scripts/postgres';
import { openDatabase, prepareDatabase, type DatabaseHandle } from '../schema';
import { insertNewArticles, searchKb } from '../schema/kb-repository';
import { KB_KINDS, kbArticles } from '../schema/tables/kb';

const { values } = parseArgs({
  options: {
    articles: { type: 'string', default: '100000' },
    'pglite-articles': { type: 'string', default: '20000' },
    searches: { type: 'string', default: '400' },
    files: { type: 'string', default: '300' },
    /** search the PostgreSQL database a previous run loaded, without reloading it (searches only) */
    reuse: { type: 'boolean', default: false },
  },
});

/** A deterministic generator (mulberry32) so every run loads the same articles. */
function prng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Generated articles: one word in five from the seed's own vocabulary (so the labelled queries match thousands of
 * them, the hard case for ranking), the rest from 30,000 made-up words per language (a big knowledge base's spread).
 */
function generator() {
  const seed = bundledArticles();
  const vocab = { zh: new Set<string>(), en: new Set<string>() };
  for (const a of seed) for (const w of `${a.title} ${a.body}`.match(/[\u4e00-\u9fff]{2,4}|[A-Za-z]{3,}/g) ?? []) vocab[/[a-z]/i.test(w) ? 'en' : 'zh'].add(w);
  const random = prng(20);
  const syllables = ['ka', 'lo', 'mi', 'ren', 'tas', 'vor', 'pel', 'dun', 'shi', 'gra', 'bel', 'tor', 'nix', 'ula', 'pre'];
  const made = {
    zh: Array.from({ length: 30_000 }, () => String.fromCharCode(0x4e00 + Math.floor(random() * 0x5000), 0x4e00 + Math.floor(random() * 0x5000))),
    en: Array.from({ length: 30_000 }, () => Array.from({ length: 2 + Math.floor(random() * 3) }, () => syllables[Math.floor(random() * syllables.length)]).join('')),
  };
  const seeded = { zh: [...vocab.zh], en: [...vocab.en] };
  const pickFrom = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  const words = { zh: null as unknown as string[], en: null as unknown as string[] };
  const pick = (xs: string[]) => (xs === words.zh || xs === words.en ? pickFrom(random() < 0.2 ? seeded[xs === words.zh ? 'zh' : 'en'] : made[xs === words.zh ? 'zh' : 'en']) : pickFrom(xs));
  words.zh = made.zh;
  words.en = made.en;
  return (n: number): KbArticleInput => {
    const lang = n % 2 ? 'en' : 'zh';
    const join = lang === 'zh' ? '' : ' ';
    const title = Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick(words[lang])).join(join);
    const body = Array.from({ length: 8 + Math.floor(random() * 8) }, () => Array.from({ length: 6 + Math.floor(random() * 8) }, () => pick(words[lang])).join(join)).join(lang === 'zh' ? '。' : '. ');
    return {
      articleId: `bench-${n}-${lang}`,
      pairId: `bench-${n}`,
      kind: pickFrom(KB_KINDS.filter((k) => k !== 'rate_table')), // a rate table needs a rates block
      lang,
      title,
      body,
      tags: [pick(words[lang]), pick(words[lang])],
      sopTypes: [pickFrom(['fee_dispute', 'late_arrival', 'cargo_damage', 'safety', 'tech_issue'])],
      categories: [pickFrom(['fee', 'service', 'cargo', 'safety', 'account'])],
      effectiveFrom: '2026-01-01T00:00:00.000Z',
    };
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const ms = (x: number) => Math.round(x * 100) / 100;

interface SearchNumbers {
  search: { searches: number; coldFirstMs: number; p50: number; p95: number; p99: number; max: number };
  quality: { recallAt3: number; mrr: number };
}

async function searches(handle: DatabaseHandle): Promise<SearchNumbers> {
  const { db } = handle;
  const queries = labelledQueries();
  const coldStarted = performance.now();
  await searchKb(db, { q: queries[0]!.q });
  const coldMs = performance.now() - coldStarted; // includes reading the term frequencies (a sample, ts_stat)
  const latencies: number[] = [];
  for (let i = 0; i < Number(values.searches); i++) {
    const t0 = performance.now();
    await searchKb(db, { q: queries[i % queries.length]!.q, limit: 10 });
    latencies.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);
  const quality = await evaluateSearch(db, queries);
  return {
    search: { searches: latencies.length, coldFirstMs: ms(coldMs), p50: ms(percentile(latencies, 50)), p95: ms(percentile(latencies, 95)), p99: ms(percentile(latencies, 99)), max: ms(latencies[latencies.length - 1]!) },
    quality: { recallAt3: quality.recallAt3, mrr: quality.mrr },
  };
}

async function run(handle: DatabaseHandle, articles: number) {
  const { db } = handle;
  await prepareDatabase(handle);
  const next = generator();
  const started = performance.now();
  for (let n = 0; n < articles; n += 1000) {
    const batch = Array.from({ length: Math.min(1000, articles - n) }, (_, i) => next(n + i));
    await insertNewArticles(db, batch, 'bench');
    if ((n / 1000) % 10 === 9) process.stderr.write(`  ${handle.kind}: ${n + batch.length} articles loaded\n`);
  }
  const bulkSeconds = (performance.now() - started) / 1000;
  if (handle.kind === 'postgres') await db.execute(sql.raw('analyze kb_articles'));

  // kb:import: files through the per-version path (lock, version number, in-force dates)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kb-bench-'));
  const files = Number(values.files);
  for (let i = 0; i < files; i++) fs.writeFileSync(path.join(dir, `f${i}.md`), printMarkdown(next(10_000_000 + i)));
  const importStarted = performance.now();
  const report = await importArticles(db, dir, 'bench');
  const importSeconds = (performance.now() - importStarted) / 1000;
  if (report.failed.length) process.stderr.write(`  import failures: ${JSON.stringify(report.failed.slice(0, 3))}\n`);
  return {
    backend: handle.kind,
    articles: articles + 86 + report.created.length,
    bulkLoad: { seconds: ms(bulkSeconds), articlesPerSecond: Math.round(articles / bulkSeconds) },
    kbImport: { files, created: report.created.length, failed: report.failed.length, seconds: ms(importSeconds), filesPerSecond: Math.round(files / importSeconds) },
    ...(await searches(handle)),
    tokensPerQuery: ms(labelledQueries().reduce((s, q) => s + kbTokens(q.q, { query: true }).length, 0) / labelledQueries().length),
  };
}

const results: object[] = [];
const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ticketflow_kb_bench';
if (values.reuse) {
  const pg = await openDatabase({ databaseUrl, dataDir: os.tmpdir(), poolSize: 2 });
  try {
    const [{ articles }] = await pg.db.select({ articles: sql<number>`count(*)`.mapWith(Number) }).from(kbArticles);
    results.push({ backend: 'postgres (reused)', articles, ...(await searches(pg)) });
  } finally {
    await pg.close();
  }
} else if (Number(values.articles) > 0) {
  await freshTestDatabase(databaseUrl);
  const pg = await openDatabase({ databaseUrl, dataDir: os.tmpdir(), poolSize: 2 });
  try {
    results.push(await run(pg, Number(values.articles)));
  } finally {
    await pg.close();
  }
}
if (!values.reuse && Number(values['pglite-articles']) > 0) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kb-bench-pglite-'));
  const lite = await openDatabase({ dataDir });
  try {
    results.push(await run(lite, Number(values['pglite-articles'])));
  } finally {
    await lite.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
console.log(JSON.stringify({ cpus: os.cpus().length, loadavg: os.loadavg().map((l) => ms(l)), results }, null, 2));
