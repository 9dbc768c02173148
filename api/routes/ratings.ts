// What users think: ratings counted by score and by the reason a low score gave (one tap each),
// read from the `rated` events the ticket workflows wrote.
import type { FastifyPluginAsync } from 'fastify';
import { and, eq, gte, sql } from 'drizzle-orm';
import { RATING_REASONS } from '../../domain/ratings';
import { ticketEvents } from '../../schema';
import type { ApiContext } from '../context';
import { HttpError } from '../errors';

const errorBody = { $ref: 'Error#' };

export const ratingRoutes: FastifyPluginAsync<ApiContext> = async (app, { db }) => {
  app.get<{ Querystring: { since?: string } }>(
    '/v1/ratings/summary',
    {
      schema: {
        summary: 'Ratings since a moment (default: 30 days): count, average, per score, per reason of low scores, reviews opened',
        tags: ['tickets'],
        querystring: { type: 'object', additionalProperties: false, properties: { since: { type: 'string', maxLength: 40 } } },
        response: { 400: errorBody, 401: errorBody, 403: errorBody },
      },
    },
    async (request) => {
      const since = request.query.since ? new Date(request.query.since) : new Date(Date.now() - 30 * 86_400_000);
      if (Number.isNaN(since.getTime())) throw new HttpError(400, 'validation_failed', 'since must be an ISO-8601 date', [{ field: 'since', reason: 'must be an ISO-8601 date or time' }]);
      const rows = await db
        .select({ score: sql<number>`(${ticketEvents.data}->>'score')::int`, reason: sql<string | null>`${ticketEvents.data}->>'reason'`, low: sql<boolean>`coalesce((${ticketEvents.data}->>'low')::boolean, false)`, n: sql<number>`count(*)::int` })
        .from(ticketEvents)
        .where(and(eq(ticketEvents.kind, 'rated'), gte(ticketEvents.at, since)))
        .groupBy(sql`1, 2, 3`);
      const byScore: Record<string, number> = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 };
      const byReason: Record<string, number> = Object.fromEntries(RATING_REASONS.map((r) => [r, 0]));
      let count = 0;
      let sum = 0;
      let low = 0;
      for (const row of rows) {
        count += row.n;
        sum += row.score * row.n;
        byScore[row.score] = (byScore[row.score] ?? 0) + row.n;
        if (row.reason) byReason[row.reason] = (byReason[row.reason] ?? 0) + row.n;
        if (row.low) low += row.n;
      }
      return { since: since.toISOString(), count, average: count ? Math.round((sum / count) * 100) / 100 : null, byScore, byReason, reviewsOpened: low };
    },
  );
};
