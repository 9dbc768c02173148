// Acting on a ticket: the user's confirmation, an agent's decision, awaited signals, reopening.
// Each is a Temporal update whose synchronous validator decides 409 or acceptance.
import { createHash } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { WorkflowNotFoundError } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { tickets } from '../../schema';
import { confirmSolutionUpdate, decideUpdate, deliverSignalUpdate, rateUpdate, reopenUpdate, ticketStateQuery, ticketWorkflowId } from '../../workflows/definitions';
import { MAX_RATING_COMMENT, RATING_REASONS, type Rating } from '../../domain/ratings';
import type { AgentDecision, Confirmation, SignalDelivery } from '../../workflows/types';
import { queueItemOf } from '../../schema/dispatch-repository';
import { LEAD_ROLES } from '../access-rules';
import { callerOf } from '../auth';
import type { ApiContext } from '../context';
import { HttpError } from '../errors';
import { readModelGuard } from '../read-model';
import { latestConfirmationWait, onceForUserToken } from '../user-tokens';
import { TimedOut, unavailable, withinDeadline } from '../temporal-calls';
import { ticketUpdater } from '../ticket-updates';

const errorBody = { $ref: 'Error#' };

/** A retried rating joins the first attempt; a different second rating is refused by the validator (409). */
const ratingUpdateId = (ticketId: string, rating: Rating) =>
  `rate-${ticketId}-${createHash('sha256').update(JSON.stringify([rating.score, rating.reason ?? null, rating.comment ?? null])).digest('hex').slice(0, 16)}`;

export const ticketActionRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  const { temporal, db } = ctx;

  const optionalRead = readModelGuard();
  const updateTicket = ticketUpdater(ctx, optionalRead);

  /**
   * One update id per confirmation wait: a retry after a timeout joins the first attempt instead of answering twice.
   * The read model names the wait by the seq of its `entered` event; when it is down, the workflow's live state names it
   * by its step and deadline (unique per wait too; a retry that straddles the two sources is refused by the validator
   * with 409 rather than joined).
   */
  async function confirmationWait(ticketId: string): Promise<{ updateId?: string; seq?: number; fromReadModel: boolean }> {
    const read = await optionalRead(() => latestConfirmationWait(db, ticketId));
    if (read.available) return { updateId: `confirm-${ticketId}-${read.value?.seq ?? 0}`, seq: read.value?.seq, fromReadModel: true };
    try {
      const live = await withinDeadline(temporal.connection, 5_000, () => temporal.client.workflow.getHandle(ticketWorkflowId(ticketId)).query(ticketStateQuery));
      const wait = live.waitingFor;
      // not waiting for a confirmation: no id, the validator answers 409
      return { updateId: wait?.kind === 'signal' && wait.signal === 'confirmation' ? `confirm-${ticketId}-${live.step}-${wait.until}` : undefined, fromReadModel: false };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { fromReadModel: false }; // updateTicket answers 404 or 409
      if (err instanceof TimedOut) throw new HttpError(503, 'worker_unavailable', 'neither the ticket database nor the ticket answered in time; send the same request again later');
      unavailable(err, 'could not reach the ticket');
    }
  }

  app.post<{ Params: { id: string }; Body: Confirmation }>(
    '/v1/tickets/:id/confirmation',
    {
      schema: {
        summary: "The user's answer to the proposed solution",
        tags: ['tickets'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['accepted'],
          properties: { accepted: { type: 'boolean' }, comment: { type: 'string', maxLength: 2_000 } },
        },
        response: { 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 503: errorBody },
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      const read = await optionalRead(() => db.select({ status: tickets.status }).from(tickets).where(eq(tickets.id, id)));
      const ticket = read.available ? read.value[0] : undefined;
      if (ticket && ticket.status !== 'awaiting_confirmation' && ticket.status !== 'in_progress') {
        throw new HttpError(409, 'wrong_state', `ticket is ${ticket.status}, not awaiting a confirmation`);
      }
      const wait = await confirmationWait(id);
      const caller = callerOf(request);
      if (caller.kind === 'user') {
        const wanted = request.body.accepted ? 'confirm' : 'reject';
        if (caller.purpose !== wanted) throw new HttpError(403, 'forbidden', `this user token may ${caller.purpose}, not ${wanted}`);
        // a user token is checked against the wait it answers, and spent, in the read model: no read model, no check
        if (!wait.fromReadModel) throw new HttpError(503, 'database_unavailable', 'the ticket database is unavailable; retry later');
        if (caller.waitSeq === undefined || caller.waitSeq !== wait.seq) throw new HttpError(409, 'wrong_state', 'this user token answers an earlier confirmation, not the current one');
      }
      const outcome = await onceForUserToken(db, caller, () => updateTicket(id, confirmSolutionUpdate, [request.body], wait.updateId));
      return reply.status(202).send({ ticketId: id, ...outcome });
    },
  );

  app.post<{ Params: { id: string }; Body: Omit<AgentDecision, 'agentId'> & { agentId?: string } }>(
    '/v1/tickets/:id/decision',
    {
      schema: {
        summary: "An agent's decision on the ticket's human task",
        tags: ['tickets'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['decision'],
          properties: {
            decision: { type: 'string', minLength: 1, maxLength: 64 },
            agentId: { type: 'string', minLength: 1, maxLength: 64, description: 'optional; must be your own staff id (the API takes it from your credential)' },
            note: { type: 'string', maxLength: 2_000 },
            data: { type: 'object' },
          },
        },
        response: { 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 503: errorBody },
      },
    },
    async (request, reply) => {
      // the acting person comes from the credential, never from the body
      const caller = callerOf(request);
      if (caller.kind !== 'staff') throw new HttpError(403, 'forbidden', 'only staff decide');
      if (request.body.agentId !== undefined && request.body.agentId !== caller.id) {
        throw new HttpError(403, 'forbidden', `agentId ${request.body.agentId} is not you (${caller.id}); leave it out`, [{ field: 'agentId', reason: 'must be your own staff id or left out' }]);
      }
      // the holder decides; a supervisor or admin may decide for them; the workflow checks it again (409 if it disagrees)
      const held = await optionalRead(() => queueItemOf(db, request.params.id));
      const holder = held.available && held.value?.confirmed ? held.value.holder : null;
      const lead = LEAD_ROLES.includes(caller.role);
      if (holder && holder !== caller.id && !lead) {
        throw new HttpError(403, 'not_holder', `ticket is held by ${holder}: only they, or a supervisor acting for them, may decide`);
      }
      const decision: AgentDecision = { ...request.body, agentId: caller.id, ...(holder && holder !== caller.id && lead ? { actingFor: holder } : {}) };
      return reply.status(202).send({ ticketId: request.params.id, live: await updateTicket(request.params.id, decideUpdate, [decision]) });
    },
  );

  app.post<{ Params: { id: string; name: SignalDelivery['name'] }; Body: { payload?: Record<string, unknown> } }>(
    '/v1/tickets/:id/signals/:name',
    {
      schema: {
        summary: 'A signal the ticket may be waiting for: evidence_uploaded, tech_fixed',
        tags: ['tickets'],
        params: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string', enum: ['evidence_uploaded', 'tech_fixed'] } } },
        body: { type: 'object', additionalProperties: false, properties: { payload: { type: 'object' } } },
        response: { 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 503: errorBody },
      },
    },
    async (request, reply) =>
      reply.status(202).send({ ticketId: request.params.id, live: await updateTicket(request.params.id, deliverSignalUpdate, [{ name: request.params.name, payload: request.body?.payload ?? {} }]) }),
  );

  app.post<{ Params: { id: string }; Body: Rating }>(
    '/v1/tickets/:id/rating',
    {
      schema: {
        summary: "The user's satisfaction with a closed ticket: 1–5, a reason for a low score, an optional comment",
        description: 'Within the reopen window, once per ticket. A score at or below the review threshold (default 2) needs a reason and opens a review for the QA team.',
        tags: ['tickets'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['score'],
          properties: { score: { type: 'integer', minimum: 1, maximum: 5 }, reason: { type: 'string', enum: RATING_REASONS }, comment: { type: 'string', maxLength: MAX_RATING_COMMENT } },
        },
        response: { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 503: errorBody },
      },
    },
    async (request, reply) => {
      const { score, reason } = request.body;
      const threshold = ctx.config.delivery.reviewThreshold;
      if (score <= threshold && reason === undefined) {
        throw new HttpError(400, 'validation_failed', `reason: a score of ${threshold} or less needs a reason`, [{ field: 'reason', reason: `required for a score of ${threshold} or less: one of ${RATING_REASONS.join(', ')}` }]);
      }
      // the workflow's validator refuses a ticket not closed or out of its reopen window, or rated before (409)
      const outcome = await onceForUserToken(db, callerOf(request), () => updateTicket(request.params.id, rateUpdate, [request.body], ratingUpdateId(request.params.id, request.body)));
      return reply.status(202).send({ ticketId: request.params.id, ...outcome });
    },
  );

  app.post<{ Params: { id: string }; Body: { reason: string } }>(
    '/v1/tickets/:id/reopen',
    {
      schema: {
        summary: 'The user says a closed ticket is not solved: second handling (二次处理)',
        tags: ['tickets'],
        body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: { type: 'string', minLength: 1, maxLength: 2_000 } } },
        response: { 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 503: errorBody },
      },
    },
    async (request, reply) => {
      const live = await onceForUserToken(db, callerOf(request), () => updateTicket(request.params.id, reopenUpdate, [{ reason: request.body.reason }]));
      return reply.status(202).send({ ticketId: request.params.id, live });
    },
  );
};
