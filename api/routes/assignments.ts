// Holding a ticket's human step: assign, release, transfer (a supervisor's transfer is a reassignment),
// and the holder asking the user for more information (the SLA clock stops until the answer).
// Claims are taken in the queue first (row-locked), then the workflow's update makes them so.
import type { FastifyPluginAsync } from 'fastify';
import { eq } from 'drizzle-orm';
import { confirmClaim } from '../../dispatch/assign';
import { tickets } from '../../schema';
import { claimTicket, claimTransfer, dropClaim, queueItemOf } from '../../schema/dispatch-repository';
import { escalateUpdate, provideInfoUpdate, releaseUpdate, requestInfoUpdate, transferUpdate } from '../../workflows/definitions';
import { callerOf } from '../auth';
import { mayActFor, staffCaller } from '../agent-caller';
import { assignedOrThrow } from '../claim-answers';
import type { ApiContext } from '../context';
import { HttpError } from '../errors';
import { readModelGuard } from '../read-model';
import { unavailable } from '../temporal-calls';
import { ticketUpdater } from '../ticket-updates';

const errorBody = { $ref: 'Error#' };
const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 503: errorBody };
const agentId = { type: 'string', minLength: 1, maxLength: 64 };
const reason = { type: 'string', minLength: 1, maxLength: 500 };

export const assignmentRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  const { db, temporal } = ctx;
  const updateTicket = ticketUpdater(ctx, readModelGuard());

  async function queued(ticketId: string) {
    const item = await queueItemOf(db, ticketId);
    if (item) return item;
    const [ticket] = await db.select({ status: tickets.status }).from(tickets).where(eq(tickets.id, ticketId));
    if (!ticket) throw new HttpError(404, 'not_found', `no ticket ${ticketId}`);
    throw new HttpError(409, 'wrong_state', `ticket is ${ticket.status} and not waiting for an agent`);
  }
  async function heldBy(ticketId: string) {
    const item = await queued(ticketId);
    if (!item.holder) throw new HttpError(409, 'not_held', 'nobody holds this ticket');
    return item;
  }

  app.post<{ Params: { id: string }; Body: { agentId?: string } }>(
    '/v1/tickets/:id/assign',
    {
      schema: {
        summary: 'Take the ticket (agents: themselves) or give it to an agent of its group (supervisors and admins, capacity not enforced)',
        tags: ['dispatch'],
        body: { type: 'object', additionalProperties: false, properties: { agentId } },
        response: errors,
      },
    },
    async (request) => {
      const caller = staffCaller(request);
      const target = request.body?.agentId ?? caller.id;
      mayActFor(caller, target, 'assign tickets to another agent');
      await queued(request.params.id);
      const claim = await claimTicket(db, request.params.id, target, { ignoreCapacity: caller.lead && target !== caller.id });
      if (claim.kind !== 'claimed') return assignedOrThrow(claim, target);
      try {
        return { agentId: target, assigned: assignedOrThrow(await confirmClaim(temporal.client, db, claim, target, caller.id), target) };
      } catch (err) {
        unavailable(err, 'could not assign the ticket');
      }
    },
  );

  app.post<{ Params: { id: string }; Body: { reason?: string } }>(
    '/v1/tickets/:id/release',
    { schema: { summary: "Give the ticket back to its group's queue (its holder, or a supervisor)", tags: ['dispatch'], body: { type: 'object', additionalProperties: false, properties: { reason } }, response: errors } },
    async (request) => {
      const caller = staffCaller(request);
      const item = await heldBy(request.params.id);
      mayActFor(caller, item.holder!, 'release this ticket');
      const state = await updateTicket(request.params.id, releaseUpdate, [{ agentId: item.holder!, by: caller.id, ...(request.body?.reason ? { reason: request.body.reason } : {}) }]);
      return { ticketId: request.params.id, ...state };
    },
  );

  app.post<{ Params: { id: string }; Body: { to: string; reason?: string } }>(
    '/v1/tickets/:id/transfer',
    {
      schema: {
        summary: 'Hand the ticket to another agent of its group (the holder; a supervisor reassigns, capacity not enforced)',
        tags: ['dispatch'],
        body: { type: 'object', additionalProperties: false, required: ['to'], properties: { to: agentId, reason } },
        response: errors,
      },
    },
    async (request) => {
      const caller = staffCaller(request);
      const item = await heldBy(request.params.id);
      const from = item.holder!;
      mayActFor(caller, from, 'transfer this ticket');
      const claim = await claimTransfer(db, request.params.id, from, request.body.to, { ignoreCapacity: caller.lead });
      if (claim.kind !== 'claimed') return assignedOrThrow(claim, request.body.to);
      try {
        const state = await updateTicket(request.params.id, transferUpdate, [{ from, to: request.body.to, assignmentId: claim.assignmentId, by: caller.id, ...(request.body.reason ? { reason: request.body.reason } : {}) }], claim.assignmentId);
        return { ticketId: request.params.id, ...state };
      } catch (err) {
        // the workflow refused: the queue goes back to the holding it had
        if (err instanceof HttpError && err.statusCode === 409) await dropClaim(db, request.params.id, claim.assignmentId, item.assignmentId ? { holder: from, assignmentId: item.assignmentId } : undefined);
        throw err;
      }
    },
  );

  app.post<{ Params: { id: string }; Body: { reason: string } }>(
    '/v1/tickets/:id/escalate',
    {
      schema: {
        summary: "The holder (any agent when nobody holds it; a supervisor for the holder) hands the waiting step to the supervisors' queue",
        tags: ['dispatch'],
        body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason } },
        response: errors,
      },
    },
    async (request) => {
      const caller = staffCaller(request);
      const item = await queued(request.params.id);
      const holder = item.confirmed ? item.holder : null;
      if (holder && holder !== caller.id && !caller.lead) throw new HttpError(403, 'not_holder', `ticket is held by ${holder}: only they, or a supervisor, may escalate it`);
      const actingFor = holder && holder !== caller.id ? { actingFor: holder } : {};
      const state = await updateTicket(request.params.id, escalateUpdate, [{ agentId: caller.id, reason: request.body.reason, ...actingFor }]);
      return { ticketId: request.params.id, ...state };
    },
  );

  app.post<{ Params: { id: string }; Body: { question: string } }>(
    '/v1/tickets/:id/info-request',
    {
      schema: {
        summary: "The holder asks the user for more information: status awaiting_user, the step's SLA clock stops",
        tags: ['dispatch'],
        body: { type: 'object', additionalProperties: false, required: ['question'], properties: { question: reason } },
        response: errors,
      },
    },
    async (request) => {
      const caller = staffCaller(request);
      const state = await updateTicket(request.params.id, requestInfoUpdate, [{ agentId: caller.id, question: request.body.question }]);
      return { ticketId: request.params.id, ...state };
    },
  );

  app.post<{ Params: { id: string }; Body: { answer?: string } }>(
    '/v1/tickets/:id/info',
    {
      schema: {
        summary: "The user's answer to a request for information (a channel's service, or an agent who took it by phone): the SLA clock goes on",
        tags: ['dispatch'],
        body: { type: 'object', additionalProperties: false, properties: { answer: { type: 'string', minLength: 1, maxLength: 2_000 } } },
        response: errors,
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const by = caller.kind === 'staff' ? caller.id : `service:${caller.kind === 'service' ? caller.id : 'user'}`;
      const state = await updateTicket(request.params.id, provideInfoUpdate, [{ by, ...(request.body?.answer ? { answer: request.body.answer } : {}) }]);
      return { ticketId: request.params.id, ...state };
    },
  );
};
