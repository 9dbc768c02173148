// What the agent console (/console) reads besides the ticket, queue and agent routes: its settings (where the
// Temporal UI is, to link a ticket's workflow), the ticket's order as its steps read it, and the past cases like a
// ticket, shown beside a human task. All read the read model.
import type { FastifyPluginAsync } from 'fastify';
import { eq } from 'drizzle-orm';
import { tickets } from '../../schema';
import { similarCases } from '../../schema/kb-cases';
import { ticketOrder } from '../../schema/order-snapshots';
import type { ApiContext } from '../context';
import { HttpError } from '../errors';

const errorBody = { $ref: 'Error#' };

export const consoleRoutes: FastifyPluginAsync<ApiContext> = async (app, { db, config }) => {
  app.get(
    '/v1/console/config',
    {
      schema: {
        summary: "The agent console's settings: the Temporal UI address and namespace (a ticket's workflow is <temporalUiUrl>/namespaces/<namespace>/workflows/<workflowId>)",
        tags: ['dispatch'],
        response: { 200: { type: 'object', properties: { temporalUiUrl: { type: 'string' }, namespace: { type: 'string' } } } },
      },
    },
    async () => ({ temporalUiUrl: config.temporal.uiUrl, namespace: config.temporal.namespace }),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/tickets/:id/order',
    {
      schema: {
        summary: "The ticket's order as its steps last read it from the order system (fees, payments; evidence when collected), personal data masked; null parts were not read yet",
        tags: ['tickets'],
        params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } },
        response: { 404: errorBody },
      },
    },
    async (request) => {
      const row = await ticketOrder(db, request.params.id);
      if (!row) throw new HttpError(404, 'not_found', `no ticket ${request.params.id}`);
      return { ticketId: row.ticketId, orderId: row.orderId, order: row.order ?? null, orderFetchedAt: row.orderFetchedAt ?? null, evidence: row.evidence ?? null, evidenceCollectedAt: row.evidenceCollectedAt ?? null };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: string } }>(
    '/v1/tickets/:id/similar-cases',
    {
      schema: {
        summary: "Past cases like this ticket's text within its SOP type (closed tickets in the knowledge base): resolved ones first",
        tags: ['kb'],
        params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } },
        querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'string', pattern: '^([1-9]|10)$' } } },
        response: { 400: errorBody, 404: errorBody },
      },
    },
    async (request) => {
      const [ticket] = await db.select({ id: tickets.id, issueText: tickets.issueText, sopType: tickets.sopType }).from(tickets).where(eq(tickets.id, request.params.id));
      if (!ticket) throw new HttpError(404, 'not_found', `no ticket ${request.params.id}`);
      const limit = request.query.limit ? Number(request.query.limit) : 3;
      return { ticketId: ticket.id, cases: await similarCases(db, { text: ticket.issueText, sopType: ticket.sopType, limit, exceptTicketId: ticket.id }) };
    },
  );
};
