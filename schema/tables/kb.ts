// The knowledge base: policies, rate tables, operation guides, FAQs and past cases, one row per version.
// Written by the API (editors), the seeder and the import script; never by workflows. A version is in force
// from its effective date until the next version's (effective_to, kept by the repository), so "the article
// in force" is one indexed range check and older versions stay readable.
import { sql } from 'drizzle-orm';
import { bigserial, customType, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const KB_KINDS = ['policy', 'rate_table', 'guide', 'faq', 'case'] as const;
export type KbKind = (typeof KB_KINDS)[number];
export const KB_LANGS = ['zh', 'en'] as const;
export type KbLang = (typeof KB_LANGS)[number];

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const kbArticles = pgTable(
  'kb_articles',
  {
    /** one row per version */
    rowId: bigserial('row_id', { mode: 'number' }).primaryKey(),
    /** stable across versions, e.g. `fare-waiting-fee-zh` */
    articleId: text('article_id').notNull(),
    version: integer('version').notNull(),
    /** shared by the zh and en texts of one article (they link to each other through it) */
    pairId: text('pair_id').notNull(),
    kind: text('kind').$type<KbKind>().notNull(),
    lang: text('lang').$type<KbLang>().notNull(),
    title: text('title').notNull(),
    /** Markdown; a rate table carries its numbers in a ```yaml rates block that code reads */
    body: text('body').notNull(),
    tags: jsonb('tags').$type<string[]>().notNull().default([]),
    sopTypes: jsonb('sop_types').$type<string[]>().notNull().default([]),
    categories: jsonb('categories').$type<string[]>().notNull().default([]),
    effectiveFrom: timestamp('effective_from', { withTimezone: true }).notNull(),
    /** the next version's effective date; null while no later version exists */
    effectiveTo: timestamp('effective_to', { withTimezone: true }),
    /** application-segmented tokens (Chinese words and bigrams, English stems): title weight A, tags B, body C */
    searchVector: tsvector('search_vector').notNull(),
    /** the title (A) and tags (B) alone: title matches are found and ranked without reading long bodies */
    titleVector: tsvector('title_vector').notNull(),
    /** normalised title and tags, for trigram similarity of short, partial or misspelled queries */
    searchTitle: text('search_title').notNull(),
    /** SHA-256 of the content fields: the seeder and the importer add a version only when it changed */
    contentHash: text('content_hash').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('kb_articles_article_version_idx').on(t.articleId, t.version),
    index('kb_articles_in_force_idx').on(t.effectiveFrom, t.effectiveTo),
    index('kb_articles_pair_idx').on(t.pairId),
    index('kb_articles_search_idx').using('gin', t.searchVector),
    index('kb_articles_title_search_idx').using('gin', t.titleVector),
    index('kb_articles_title_trgm_idx').using('gin', sql`${t.searchTitle} gin_trgm_ops`),
  ],
);

export type KbArticleRow = typeof kbArticles.$inferSelect;
