// Retrieval quality of the knowledge-base search on the labelled queries of data/kb-eval/queries.jsonl:
// Recall@3 (an expected article among the first three) and MRR (mean reciprocal rank of the first expected one).
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config';
import type { Database } from '../schema';
import { searchKb } from '../schema/kb-repository';

export interface LabelledQuery {
  q: string;
  lang: 'zh' | 'en' | 'mixed';
  /** article ids any of which answers the query */
  expect: string[];
}

export const LABELLED_QUERIES_FILE = path.join(projectRoot, 'data', 'kb-eval', 'queries.jsonl');

export function labelledQueries(file = LABELLED_QUERIES_FILE): LabelledQuery[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as LabelledQuery);
}

export interface EvalReport {
  queries: number;
  recallAt3: number;
  mrr: number;
  byLang: Record<string, { queries: number; recallAt3: number; mrr: number }>;
  /** queries whose expected articles are not among the first three */
  misses: Array<{ q: string; got: string[] }>;
}

export async function evaluateSearch(db: Database, queries: LabelledQuery[]): Promise<EvalReport> {
  const ranks: Array<{ lang: string; rank: number | null }> = [];
  const misses: EvalReport['misses'] = [];
  for (const query of queries) {
    const hits = (await searchKb(db, { q: query.q, limit: 10 })) ?? [];
    const index = hits.findIndex((h) => query.expect.includes(h.articleId));
    const rank = index < 0 ? null : index + 1;
    ranks.push({ lang: query.lang, rank });
    if (rank === null || rank > 3) misses.push({ q: query.q, got: hits.slice(0, 3).map((h) => h.articleId) });
  }
  const summarise = (rs: typeof ranks) => ({
    queries: rs.length,
    recallAt3: round(rs.filter((r) => r.rank !== null && r.rank <= 3).length / rs.length),
    mrr: round(rs.reduce((s, r) => s + (r.rank ? 1 / r.rank : 0), 0) / rs.length),
  });
  const byLang = Object.fromEntries([...new Set(ranks.map((r) => r.lang))].map((lang) => [lang, summarise(ranks.filter((r) => r.lang === lang))]));
  return { ...summarise(ranks), byLang, misses };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
