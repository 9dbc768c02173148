// Anomaly alerts (docs/ANALYTICS.md) as the detection stored them: the dashboard's alert list.
import type { FastifyPluginAsync } from 'fastify';
import { desc, isNull } from 'drizzle-orm';
import { alerts } from '../../schema';
import type { ApiContext } from '../context';

const errorBody = { $ref: 'Error#' };
/** the newest first; older alerts stay in the table (and in its export) */
const LIST_LIMIT = 500;

const alertItem = {
  type: 'object',
  required: ['id', 'category', 'region', 'appVersion', 'openedAt', 'clearedAt', 'observed', 'expected', 'score', 'ticketId'],
  properties: {
    id: { type: 'string' },
    category: { type: 'string' },
    region: { type: ['string', 'null'] },
    appVersion: { type: ['string', 'null'] },
    openedAt: { type: 'string', format: 'date-time' },
    clearedAt: { type: ['string', 'null'], format: 'date-time' },
    observed: { type: 'integer', description: 'tickets in the window that opened the alert' },
    expected: { type: 'number', description: 'what the baseline expected in that window' },
    score: { type: 'number', description: '-log10 of the tail probability of the observed count' },
    ticketId: { type: ['string', 'null'], description: "the tech team's ticket opened for the alert" },
  },
};

export const alertRoutes: FastifyPluginAsync<ApiContext> = async (app, { db }) => {
  app.get<{ Querystring: { state?: 'open' | 'all' } }>(
    '/v1/alerts',
    {
      schema: {
        summary: `Anomaly alerts: open ones (default) or all, newest first (at most ${LIST_LIMIT})`,
        tags: ['analytics'],
        querystring: { type: 'object', additionalProperties: false, properties: { state: { type: 'string', enum: ['open', 'all'] } } },
        response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: alertItem } } }, 400: errorBody, 401: errorBody, 403: errorBody },
      },
    },
    async (request) => {
      const rows = await db
        .select()
        .from(alerts)
        .where(request.query.state === 'all' ? undefined : isNull(alerts.clearedAt))
        .orderBy(desc(alerts.openedAt))
        .limit(LIST_LIMIT);
      return {
        items: rows.map((a) => ({
          id: a.id,
          category: a.category,
          region: a.region,
          appVersion: a.appVersion,
          openedAt: a.openedAt.toISOString(),
          clearedAt: a.clearedAt?.toISOString() ?? null,
          observed: a.observed,
          expected: a.expected,
          score: a.score,
          ticketId: a.ticketId,
        })),
      };
    },
  );
};
