// A knowledge-base article as editors write it (Markdown with YAML front matter) and as the API accepts it:
// validation with field-level errors, parsing, printing, and the content hash that tells a new version apart.
import { createHash } from 'node:crypto';
import YAML from 'yaml';
import { KB_KINDS, KB_LANGS, type KbKind, type KbLang } from '../schema/tables/kb';

export interface KbArticleInput {
  articleId: string;
  pairId: string;
  kind: KbKind;
  lang: KbLang;
  title: string;
  body: string;
  tags: string[];
  sopTypes: string[];
  categories: string[];
  /** ISO date or timestamp: from when this version is in force */
  effectiveFrom: string;
}

export interface FieldError { field: string; reason: string }

const ID_RE = /^[a-z0-9][a-z0-9-]{1,80}$/;

function stringList(value: unknown, field: string, errors: FieldError[]): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !v.trim() || v.length > 60)) {
    errors.push({ field, reason: 'must be a list of non-empty strings of at most 60 characters' });
    return [];
  }
  if (value.length > 30) errors.push({ field, reason: 'at most 30 entries' });
  return value.map((v: string) => v.trim());
}

/**
 * Checks an article from the API, the importer or the seed. `articleId` defaults to `<pairId>-<lang>`.
 * Dates given as YAML dates arrive as Date objects and are accepted too.
 */
export function validateArticle(input: unknown): { article: KbArticleInput | null; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return { article: null, errors: [{ field: 'body', reason: 'must be an object' }] };
  const v = input as Record<string, unknown>;
  const str = (key: string, max: number, required = true): string => {
    const value = v[key];
    if (value === undefined && !required) return '';
    if (typeof value !== 'string' || !value.trim()) errors.push({ field: key, reason: 'must be a non-empty string' });
    else if (value.length > max) errors.push({ field: key, reason: `at most ${max} characters` });
    else return value.trim();
    return '';
  };
  const pairId = str('pairId', 80);
  if (pairId && !ID_RE.test(pairId)) errors.push({ field: 'pairId', reason: 'lower-case letters, digits and dashes' });
  const lang = v.lang as KbLang;
  if (!KB_LANGS.includes(lang)) errors.push({ field: 'lang', reason: `one of ${KB_LANGS.join(', ')}` });
  const kind = v.kind as KbKind;
  if (!KB_KINDS.includes(kind)) errors.push({ field: 'kind', reason: `one of ${KB_KINDS.join(', ')}` });
  const articleId = v.articleId === undefined ? (pairId && KB_LANGS.includes(lang) ? `${pairId}-${lang}` : '') : str('articleId', 84);
  if (v.articleId !== undefined && articleId && !ID_RE.test(articleId)) errors.push({ field: 'articleId', reason: 'lower-case letters, digits and dashes' });
  const title = str('title', 200);
  const body = str('body', 200_000);
  const rawDate = v.effectiveFrom instanceof Date ? v.effectiveFrom.toISOString() : v.effectiveFrom;
  let effectiveFrom = '';
  if (typeof rawDate !== 'string' || Number.isNaN(Date.parse(rawDate))) errors.push({ field: 'effectiveFrom', reason: 'must be an ISO date, e.g. 2026-01-01' });
  else effectiveFrom = new Date(Date.parse(rawDate)).toISOString();
  const tags = stringList(v.tags, 'tags', errors);
  const sopTypes = stringList(v.sopTypes, 'sopTypes', errors);
  const categories = stringList(v.categories, 'categories', errors);
  if (kind === 'rate_table' && body) {
    try {
      if (!ratesBlock(body)) errors.push({ field: 'body', reason: 'a rate table carries its numbers in a ```yaml rates block' });
    } catch (err) {
      errors.push({ field: 'body', reason: `the rates block is not valid YAML: ${(err as Error).message.split('\n')[0]}` });
    }
  }
  if (errors.length) return { article: null, errors };
  return { article: { articleId, pairId, kind, lang, title, body, tags, sopTypes, categories, effectiveFrom }, errors };
}

const RATES_RE = /```ya?ml\s+rates\s*\n([\s\S]*?)```/;

/** The structured numbers of a rate table (the ```yaml rates block), or null when the body has none. */
export function ratesBlock(body: string): Record<string, unknown> | null {
  const m = RATES_RE.exec(body);
  if (!m) return null;
  const parsed = YAML.parse(m[1]!);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the rates block must be a mapping');
  return parsed as Record<string, unknown>;
}

/** Two versions with the same hash say the same thing: the seeder and importer skip them. */
export function contentHash(a: KbArticleInput): string {
  const { articleId, pairId, kind, lang, title, body, tags, sopTypes, categories, effectiveFrom } = a;
  return createHash('sha256').update(JSON.stringify([articleId, pairId, kind, lang, title, body.trim(), tags, sopTypes, categories, effectiveFrom])).digest('hex');
}

const FRONT_RE = /^---\s*\n([\s\S]*?)\n---\s*\n?([\s\S]*)$/;

/** Parses Markdown with front matter; the title defaults to the first `# heading`. */
export function parseMarkdown(text: string): unknown {
  const m = FRONT_RE.exec(text.replace(/^\uFEFF/, ''));
  if (!m) throw new Error('missing front matter (--- … ---)');
  const front = YAML.parse(m[1]!) as Record<string, unknown>;
  const body = m[2]!.trim();
  const heading = /^#\s+(.+)$/m.exec(body)?.[1]?.trim();
  return { ...front, title: front.title ?? heading, body };
}

/** Markdown with front matter, as `kb:export` writes and `kb:import` reads. */
export function printMarkdown(a: KbArticleInput & { version?: number }): string {
  const front = {
    articleId: a.articleId,
    pairId: a.pairId,
    kind: a.kind,
    lang: a.lang,
    title: a.title,
    tags: a.tags,
    sopTypes: a.sopTypes,
    categories: a.categories,
    effectiveFrom: a.effectiveFrom,
    ...(a.version ? { version: a.version } : {}),
  };
  return `---\n${YAML.stringify(front, { flowCollectionPadding: false }).trim()}\n---\n${a.body.trim()}\n`;
}
