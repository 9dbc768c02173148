// Knowledge-base storage: versions of an article (a new version is in force from its date, the previous one
// until then), the article in force at a time, its history, search, and the seed of bundled articles.
import { and, asc, desc, eq, gt, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import { contentHash, ratesBlock, type KbArticleInput } from '../domain/kb-article';
import { queryTerms, snippet, trigramText, tsqueryLiteral, tsvectorLiteral } from '../domain/kb-text';
import type { Database } from './db';
import { kbArticles, type KbArticleRow, type KbKind, type KbLang } from './tables/kb';

/** Who publishes the bundled articles of data/kb (a person's later version is never overridden by the seed). */
export const KB_SEED_PUBLISHER = 'system:kb-seed';

export type KbArticle = Omit<KbArticleRow, 'searchVector' | 'titleVector' | 'searchTitle' | 'contentHash'> & { inForce: boolean };

const publicColumns = {
  rowId: kbArticles.rowId,
  articleId: kbArticles.articleId,
  version: kbArticles.version,
  pairId: kbArticles.pairId,
  kind: kbArticles.kind,
  lang: kbArticles.lang,
  title: kbArticles.title,
  body: kbArticles.body,
  tags: kbArticles.tags,
  sopTypes: kbArticles.sopTypes,
  categories: kbArticles.categories,
  effectiveFrom: kbArticles.effectiveFrom,
  effectiveTo: kbArticles.effectiveTo,
  createdBy: kbArticles.createdBy,
  createdAt: kbArticles.createdAt,
};

const inForceAt = (at: Date): SQL => and(lte(kbArticles.effectiveFrom, at), or(isNull(kbArticles.effectiveTo), gt(kbArticles.effectiveTo, at)))!;
const isInForce = (row: { effectiveFrom: Date; effectiveTo: Date | null }, at: Date) => row.effectiveFrom <= at && (!row.effectiveTo || row.effectiveTo > at);
const withFlag = <T extends { effectiveFrom: Date; effectiveTo: Date | null }>(row: T, at = new Date()) => ({ ...row, inForce: isInForce(row, at) });

/** The searchable columns of a version, computed in the application (see domain/kb-text). */
function searchColumns(a: KbArticleInput) {
  const vector = tsvectorLiteral([
    { text: a.title, weight: 'A' },
    { text: a.tags.join(' '), weight: 'B' },
    { text: a.body, weight: 'C' },
  ]);
  const titleVector = tsvectorLiteral([
    { text: a.title, weight: 'A' },
    { text: a.tags.join(' '), weight: 'B' },
  ]);
  return { searchVector: sql`${vector}::tsvector`, titleVector: sql`${titleVector}::tsvector`, searchTitle: trigramText([a.title, ...a.tags].join(' ')) };
}

/**
 * Version 1 of many new articles in one statement (the benchmark's bulk load; articles must not exist yet).
 * Returns how many were inserted.
 */
export async function insertNewArticles(db: Database, articles: KbArticleInput[], createdBy: string): Promise<number> {
  if (!articles.length) return 0;
  const rows = articles.map((a) => ({ ...a, version: 1, effectiveFrom: new Date(a.effectiveFrom), contentHash: contentHash(a), createdBy, ...searchColumns(a) }));
  const inserted = await db.insert(kbArticles).values(rows as never).onConflictDoNothing().returning({ rowId: kbArticles.rowId });
  forgetTermStats(db);
  return inserted.length;
}

/** Inserts the next version of an article; the caller holds the article's lock (or the seed's). */
async function insertVersion(db: Database, a: KbArticleInput, createdBy: string): Promise<KbArticleRow> {
  const [{ next }] = await db
    .select({ next: sql<number>`coalesce(max(${kbArticles.version}), 0) + 1`.mapWith(Number) })
    .from(kbArticles)
    .where(eq(kbArticles.articleId, a.articleId));
  const [row] = await db
    .insert(kbArticles)
    .values({ ...a, version: next!, effectiveFrom: new Date(a.effectiveFrom), contentHash: contentHash(a), createdBy, ...searchColumns(a) } as never)
    .returning();
  // each version is in force until the next one by effective date (a later version with an earlier date slots in)
  await db.execute(sql`
    update kb_articles a set effective_to = n.next_from
    from (select row_id, lead(effective_from) over (order by effective_from, version) as next_from
          from kb_articles where article_id = ${a.articleId}) n
    where a.row_id = n.row_id and a.effective_to is distinct from n.next_from`);
  return row as KbArticleRow;
}

/**
 * Saves a version: `created: false` when `onlyIfChanged` and a version says exactly the same (a re-import). One writer per
 * article at a time (a transaction-scoped advisory lock), so two editors never mint the same version number.
 */
export async function saveArticleVersion(database: Database, a: KbArticleInput, createdBy: string, opts: { onlyIfChanged?: boolean } = {}): Promise<{ article: KbArticle; created: boolean }> {
  return database.transaction(async (txn) => {
    const tx = txn as unknown as Database;
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'ticketflow:kb:' + a.articleId}))`);
    if (opts.onlyIfChanged) {
      const [same] = await tx
        .select({ version: kbArticles.version })
        .from(kbArticles)
        .where(and(eq(kbArticles.articleId, a.articleId), eq(kbArticles.contentHash, contentHash(a))))
        .limit(1);
      if (same) return { article: await mustGet(tx, a.articleId, same.version), created: false };
    }
    const row = await insertVersion(tx, a, createdBy);
    forgetTermStats(database);
    return { article: await mustGet(tx, row.articleId, row.version), created: true };
  });
}

async function mustGet(db: Database, articleId: string, version: number): Promise<KbArticle> {
  const [row] = await db.select(publicColumns).from(kbArticles).where(and(eq(kbArticles.articleId, articleId), eq(kbArticles.version, version)));
  return withFlag(row!);
}

/** The version in force at `at` (now by default), or null when none is (unknown, or every version starts later). */
export async function articleInForce(db: Database, articleId: string, at = new Date()): Promise<KbArticle | null> {
  const [row] = await db.select(publicColumns).from(kbArticles).where(and(eq(kbArticles.articleId, articleId), inForceAt(at))).orderBy(desc(kbArticles.version)).limit(1);
  return row ? withFlag(row, at) : null;
}

/** Every article's versions in force now (`history`: every version), ordered by article and version: what `kb:export` writes. */
export async function allArticles(db: Database, opts: { history?: boolean } = {}): Promise<KbArticle[]> {
  const now = new Date();
  const rows = await db.select(publicColumns).from(kbArticles).where(opts.history ? undefined : inForceAt(now)).orderBy(asc(kbArticles.articleId), asc(kbArticles.version));
  return rows.map((r) => withFlag(r, now));
}

/** Every version of an article, oldest first, each marked whether it is in force now. */
export async function articleHistory(db: Database, articleId: string): Promise<KbArticle[]> {
  const rows = await db.select(publicColumns).from(kbArticles).where(eq(kbArticles.articleId, articleId)).orderBy(asc(kbArticles.version));
  const now = new Date();
  return rows.map((r) => withFlag(r, now));
}

/** The other languages' articles of a pair in force now: { lang, articleId, title }. */
export async function pairedArticles(db: Database, pairId: string, exceptArticleId: string, at = new Date()) {
  const rows = await db
    .select({ articleId: kbArticles.articleId, lang: kbArticles.lang, title: kbArticles.title })
    .from(kbArticles)
    .where(and(eq(kbArticles.pairId, pairId), inForceAt(at)));
  return rows.filter((r) => r.articleId !== exceptArticleId);
}

/**
 * The structured numbers of a rate table in force at `at`: the ```yaml rates block of the pair's most recently
 * effective version in either language (the zh and en texts carry the same block; the newer edit wins).
 */
export async function ratesInForce(db: Database, pairId: string, at = new Date()): Promise<Record<string, unknown> | null> {
  const [row] = await db
    .select({ body: kbArticles.body })
    .from(kbArticles)
    .where(and(eq(kbArticles.pairId, pairId), eq(kbArticles.kind, 'rate_table'), inForceAt(at)))
    .orderBy(desc(kbArticles.effectiveFrom), desc(kbArticles.createdAt))
    .limit(1);
  return row ? ratesBlock(row.body) : null;
}

export interface KbSearchQuery {
  q: string;
  kind?: KbKind;
  /** an SOP type, e.g. fee_dispute */
  type?: string;
  category?: string;
  lang?: KbLang;
  limit?: number;
  /** search the articles in force at this time (now by default) */
  at?: Date;
  /** also superseded and future versions, ranked below the version in force */
  history?: boolean;
}

export interface KbSearchHit {
  articleId: string;
  version: number;
  pairId: string;
  kind: KbKind;
  lang: KbLang;
  title: string;
  tags: string[];
  sopTypes: string[];
  categories: string[];
  effectiveFrom: Date;
  effectiveTo: Date | null;
  inForce: boolean;
  score: number;
  /** HTML: escaped text with the matches in <mark> */
  snippet: string;
}

/** Weights of D, C (body), B (tags), A (title) for ts_rank: a title match counts five times a body match. */
const RANK_WEIGHTS = '{0.05,0.2,0.5,1.0}';

/** queries of more words are not looked up by trigrams (their title similarity still counts in the ranking) */
const TRIGRAM_MAX_WORDS = 3;
/** at most this many articles per candidate source are ranked */
const CANDIDATES = 100;
/** bodies matching any query token are looked up by its rarest tokens, together in at most this share of the articles */
const RARE_SHARE = 0.01;
/** A token in more than this share of the articles in force is too common to search by (when the query has others). */
const COMMON_SHARE = 0.2;
const TERM_STATS_TTL_MS = 10 * 60_000;
/** about this many latest versions are sampled for document frequencies: constant cost at any size */
const TERM_STATS_SAMPLE = 2_000;
interface TermStats { at: number; articles: number; sampled: number; df: Map<string, number> }
const termStatsOf = new WeakMap<Database, { stats: TermStats | null; refreshing: Promise<TermStats> | null }>();

async function readTermStats(db: Database): Promise<TermStats> {
  const [{ articles }] = await db.select({ articles: sql<number>`count(*)`.mapWith(Number) }).from(kbArticles).where(isNull(kbArticles.effectiveTo));
  const percent = Math.min(100, (TERM_STATS_SAMPLE / Math.max(articles!, 1)) * 100).toFixed(4);
  const sample = `select search_vector from kb_articles tablesample bernoulli (${percent}) where effective_to is null`;
  const [{ sampled }] = await db.select({ sampled: sql<number>`count(*)`.mapWith(Number) }).from(sql`(${sql.raw(sample)}) s`);
  const rows = await db
    .select({ word: sql<string>`word`, ndoc: sql<number>`ndoc`.mapWith(Number) })
    .from(sql`ts_stat(${sample})`);
  return { at: Date.now(), articles: articles!, sampled: sampled!, df: new Map(rows.map((r) => [r.word, r.ndoc])) };
}

/** Document frequencies of the latest versions, cached per database for some minutes (stale ones serve while refreshing). */
async function termStats(db: Database): Promise<TermStats> {
  const entry = termStatsOf.get(db) ?? { stats: null, refreshing: null };
  termStatsOf.set(db, entry);
  const fresh = entry.stats && Date.now() - entry.stats.at < TERM_STATS_TTL_MS;
  if (!fresh && !entry.refreshing) {
    entry.refreshing = readTermStats(db).then(
      (stats) => ((entry.stats = stats), (entry.refreshing = null), stats),
      (err) => ((entry.refreshing = null), Promise.reject(err)),
    );
  }
  return entry.stats ?? entry.refreshing!;
}

/** After a write in this process the next search reads fresh frequencies. */
function forgetTermStats(db: Database): void {
  const entry = termStatsOf.get(db);
  if (entry?.stats) entry.stats.at = 0;
}

/** Full-text match on the segmented tokens, or trigram word similarity on title and tags; null when the query has nothing searchable. */
export async function searchKb(db: Database, query: KbSearchQuery): Promise<KbSearchHit[] | null> {
  const stats = await termStats(db);
  const common = (token: string) => stats.sampled >= 20 && (stats.df.get(token) ?? 0) > stats.sampled * COMMON_SHARE;
  const tsq = tsqueryLiteral(query.q, common);
  const tsqAll = tsqueryLiteral(query.q, common, '&');
  // bodies with any token: only the rarest few, so the index returns a short list instead of a third of the table
  // (at most RARE_SHARE of the articles, or twice the candidates a source may give: a small base takes every token)
  const rareBudget = (Math.max(RARE_SHARE * stats.articles, 2 * CANDIDATES) * stats.sampled) / Math.max(stats.articles, 1);
  const frequency = (token: string) => stats.df.get(token) ?? 0;
  const tsqRare = tsqueryLiteral(query.q, common, '|', { rarest: { budget: rareBudget, frequency } });
  // bodies with every token: skipped when even the rarest token is in more bodies than the budget (a common word,
  // 过路费): an arbitrary hundred of ten thousand body matches adds cost, not answers; its title matches remain
  const everyFits = Math.min(...queryTerms(query.q, common).map(frequency)) <= rareBudget;
  const trigram = trigramText(query.q);
  if (!tsq && !trigram) return null;
  const at = query.at ?? new Date();
  const limit = Math.min(Math.max(query.limit ?? 10, 1), 50);
  const tsquery = sql`${tsq ?? ''}::tsquery`;
  const inForce = inForceAt(at);
  const filters = [
    query.history ? undefined : inForce,
    query.kind ? eq(kbArticles.kind, query.kind) : undefined,
    query.lang ? eq(kbArticles.lang, query.lang) : undefined,
    query.type ? sql`${kbArticles.sopTypes} @> ${JSON.stringify([query.type])}::jsonb` : undefined,
    query.category ? sql`${kbArticles.categories} @> ${JSON.stringify([query.category])}::jsonb` : undefined,
  ].filter((c): c is SQL => !!c);
  // Candidates, each source capped so the cost does not grow with the number of matches: title and tag matches,
  // bodies with every query token, bodies with any, titles similar by trigrams. Only they are ranked.
  const sources: SQL[] = [];
  const capped = (match: SQL, cap: number) => sql`(select ${kbArticles.rowId} from ${kbArticles} where ${and(match, ...filters)} limit ${cap})`;
  if (tsq) {
    sources.push(capped(sql`${kbArticles.titleVector} @@ ${tsquery}`, CANDIDATES));
    const every = tsqAll && tsqAll !== tsq && everyFits; // one token: "every" and "any" are the same query
    if (every) sources.push(capped(sql`${kbArticles.searchVector} @@ ${tsqAll}::tsquery`, CANDIDATES));
    if (tsqRare && (!every || tsqRare !== tsqAll)) sources.push(capped(sql`${kbArticles.searchVector} @@ ${tsqRare}::tsquery`, CANDIDATES));
  }
  // trigrams catch Latin-script slips (wating, harrasment); Chinese fragments are covered by the bigrams, and a
  // Chinese trigram search cannot use the index well (a full scan at 100,000 articles)
  // and only for short queries: a slip in a long one still leaves its other words to match, and the trigram index
  // scan grows with the query's length (6 ms for four words at 100,000 articles)
  const useTrigrams = trigram.length >= 3 && /[a-z]{3}/.test(trigram) && trigram.split(' ').length <= TRIGRAM_MAX_WORDS;
  // planned for all its rows (the DISTINCT), so the planner weighs the trigram index against a full scan: with only a
  // LIMIT it may bet on a sequential scan finding a few matches early, which computes similarity for every title
  // (0.5 s at 20,000 articles on PGlite, which has no statistics)
  if (useTrigrams) sources.push(sql`(select row_id from (select distinct ${kbArticles.rowId} as row_id from ${kbArticles} where ${and(sql`${trigram} <% ${kbArticles.searchTitle}`, ...filters)}) by_trigrams limit ${CANDIDATES / 4})`);
  if (!sources.length) return [];
  const candidates = sql.join(sources, sql` union `);
  const textRank = tsq ? sql`ts_rank(${RANK_WEIGHTS}::float4[], ${kbArticles.searchVector}, ${tsquery}, 1)` : sql`0`;
  const titleSimilarity = trigram ? sql`word_similarity(${trigram}, ${kbArticles.searchTitle})` : sql`0`;
  const titleContains = trigram ? sql`(case when position(${trigram} in ${kbArticles.searchTitle}) > 0 then 0.3 else 0 end)` : sql`0`;
  const score = sql<number>`(${textRank} + 0.4 * ${titleSimilarity} + ${titleContains}) * (case when ${inForce} then 1 else 0.5 end)`.mapWith(Number);
  // one round trip: the trigram operator's threshold (0.5) is a session setting of every connection (SESSION_SETTINGS)
  const rows = await db
    .select({ ...publicColumns, score })
    .from(kbArticles)
    .where(sql`${kbArticles.rowId} in (${candidates})`)
    .orderBy(desc(score), desc(kbArticles.effectiveFrom), asc(kbArticles.articleId))
    .limit(limit);
  return rows.map((r) => ({
    articleId: r.articleId,
    version: r.version,
    pairId: r.pairId,
    kind: r.kind,
    lang: r.lang,
    title: r.title,
    tags: r.tags,
    sopTypes: r.sopTypes,
    categories: r.categories,
    effectiveFrom: r.effectiveFrom,
    effectiveTo: r.effectiveTo,
    inForce: isInForce(r, at),
    score: Math.round(r.score * 10_000) / 10_000,
    snippet: snippet(r.body, query.q),
  }));
}

export interface KbSeedReport {
  /** article ids given a version (1 for new ones, the next for edited bundled ones) */
  published: string[];
  /** bundled articles changed on disk whose latest version a person published: left alone */
  keptEdits: string[];
}

/**
 * Brings the bundled articles into the database, idempotently: version 1 of a new article, a new version of
 * one whose file changed since the seed last published it, nothing otherwise. One seeder at a time.
 */
export async function seedKb(database: Database, articles: KbArticleInput[]): Promise<KbSeedReport> {
  return database.transaction(async (txn) => {
    const tx = txn as unknown as Database;
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('ticketflow:seed-kb'))`);
    const report: KbSeedReport = { published: [], keptEdits: [] };
    // every version's hash (a bundled article may have several files, one per version) and who wrote the latest
    const known = new Map<string, { hashes: Set<string>; latestBy: string }>();
    const rows = await tx.select({ articleId: kbArticles.articleId, hash: kbArticles.contentHash, by: kbArticles.createdBy }).from(kbArticles).orderBy(asc(kbArticles.version));
    for (const r of rows) {
      const entry = known.get(r.articleId) ?? { hashes: new Set<string>(), latestBy: r.by };
      entry.hashes.add(r.hash);
      entry.latestBy = r.by;
      known.set(r.articleId, entry);
    }
    for (const a of articles) {
      const entry = known.get(a.articleId);
      if (entry?.hashes.has(contentHash(a))) continue;
      if (entry && entry.latestBy !== KB_SEED_PUBLISHER) {
        report.keptEdits.push(a.articleId);
        continue;
      }
      await insertVersion(tx, a, KB_SEED_PUBLISHER);
      report.published.push(a.articleId);
    }
    forgetTermStats(database);
    return report;
  });
}
