// The knowledge base: search (every staff member and services with kb:read), articles in force and their
// history, and editors' new articles and versions (editor and admin roles, services with kb:write).
import type { FastifyPluginAsync } from 'fastify';
import { validateArticle, type KbArticleInput } from '../../domain/kb-article';
import { articleHistory, articleInForce, pairedArticles, saveArticleVersion, searchKb, type KbArticle } from '../../schema/kb-repository';
import { KB_KINDS, KB_LANGS, type KbKind, type KbLang } from '../../schema/tables/kb';
import { callerId, callerOf } from '../auth';
import type { ApiContext } from '../context';
import { HttpError } from '../errors';

type Query = Record<string, string | undefined>;
const invalid = (field: string, reason: string) => new HttpError(400, 'validation_failed', `${field} ${reason}`, [{ field, reason }]);

function oneOf<T extends string>(query: Query, field: string, allowed: readonly T[]): T | undefined {
  const value = query[field];
  if (value === undefined || value === '') return undefined;
  if (!allowed.includes(value as T)) throw invalid(field, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

function dateParam(query: Query, field: string): Date | undefined {
  const value = query[field];
  if (value === undefined || value === '') return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalid(field, 'must be an ISO date, e.g. 2026-01-01');
  return new Date(ms);
}

const shortText = (query: Query, field: string): string | undefined => {
  const value = query[field];
  if (value === undefined || value === '') return undefined;
  if (value.length > 60) throw invalid(field, 'at most 60 characters');
  return value;
};

/** What the API shows of an article: the version, whether it is in force, and its other-language texts. */
async function present(ctx: ApiContext, article: KbArticle) {
  return { ...article, translations: await pairedArticles(ctx.db, article.pairId, article.articleId) };
}

const articleBody = { type: 'object', additionalProperties: true };

export const kbRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  const { db } = ctx;

  app.get<{ Querystring: Query }>(
    '/v1/kb/search',
    { schema: { summary: 'Search the articles in force: Chinese and English, filters by kind, SOP type, category, language', tags: ['kb'] } },
    async (request) => {
      const query = request.query;
      const q = query.q;
      if (typeof q !== 'string' || !q.trim()) throw invalid('q', 'must be a non-empty search text');
      if (q.length > 200) throw invalid('q', 'at most 200 characters');
      const limitText = query.limit ?? '10';
      if (!/^[1-9][0-9]?$/.test(limitText) || Number(limitText) > 50) throw invalid('limit', 'must be a whole number from 1 to 50');
      const history = query.history;
      if (history !== undefined && history !== 'true' && history !== 'false') throw invalid('history', 'must be true or false');
      const hits = await searchKb(db, {
        q,
        kind: oneOf<KbKind>(query, 'kind', KB_KINDS),
        lang: oneOf<KbLang>(query, 'lang', KB_LANGS),
        type: shortText(query, 'type'),
        category: shortText(query, 'category'),
        limit: Number(limitText),
        at: dateParam(query, 'at'),
        history: history === 'true',
      });
      if (!hits) throw invalid('q', 'has no searchable words');
      return { query: q, results: hits };
    },
  );

  app.get<{ Params: { id: string }; Querystring: Query }>(
    '/v1/kb/articles/:id',
    { schema: { summary: 'The version of an article in force (now, or at ?at=), with its other-language texts', tags: ['kb'] } },
    async (request) => {
      const article = await articleInForce(db, request.params.id, dateParam(request.query, 'at'));
      if (!article) throw new HttpError(404, 'not_found', `no article ${request.params.id} in force`);
      return present(ctx, article);
    },
  );

  app.get<{ Params: { id: string } }>('/v1/kb/articles/:id/versions', { schema: { summary: 'Every version of an article, oldest first', tags: ['kb'] } }, async (request) => {
    const versions = await articleHistory(db, request.params.id);
    if (!versions.length) throw new HttpError(404, 'not_found', `no article ${request.params.id}`);
    return { articleId: request.params.id, versions };
  });

  function checked(input: unknown): KbArticleInput {
    const { article, errors } = validateArticle(input);
    if (!article) throw new HttpError(400, 'validation_failed', `${errors.length} problem(s) in the article`, errors);
    return article;
  }

  app.post<{ Body: Record<string, unknown> }>(
    '/v1/kb/articles',
    { schema: { summary: 'Create an article (version 1); effectiveFrom defaults to now', tags: ['kb'], body: articleBody } },
    async (request, reply) => {
      const article = checked({ effectiveFrom: new Date().toISOString(), ...request.body });
      if ((await articleHistory(db, article.articleId)).length) throw new HttpError(409, 'already_exists', `article ${article.articleId} exists: PUT /v1/kb/articles/${article.articleId} adds a version`);
      const saved = await saveArticleVersion(db, article, callerId(callerOf(request)));
      return reply.status(201).send(await present(ctx, saved.article));
    },
  );

  app.put<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/v1/kb/articles/:id',
    { schema: { summary: 'A new version of an article, in force from its effectiveFrom (default now); omitted fields keep their value', tags: ['kb'], body: articleBody } },
    async (request, reply) => {
      const versions = await articleHistory(db, request.params.id);
      const latest = versions[versions.length - 1];
      if (!latest) throw new HttpError(404, 'not_found', `no article ${request.params.id}: POST /v1/kb/articles creates one`);
      for (const fixed of ['articleId', 'pairId', 'lang'] as const) {
        const value = request.body[fixed];
        if (value !== undefined && value !== latest[fixed]) throw invalid(fixed, `is ${latest[fixed]} for this article and cannot change`);
      }
      const { articleId, pairId, kind, lang, title, body, tags, sopTypes, categories } = latest;
      const article = checked({ articleId, pairId, kind, lang, title, body, tags, sopTypes, categories, effectiveFrom: new Date().toISOString(), ...request.body });
      const saved = await saveArticleVersion(db, article, callerId(callerOf(request)));
      return reply.status(201).send(await present(ctx, saved.article));
    },
  );
};
