// Tickets: intake (start the intake workflow) and reading (read model + live query).
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import { asc, eq } from 'drizzle-orm';
import { ticketEvents, tickets } from '../../schema';
import { intakeWorkflow } from '../../workflows';
import { intakeWorkflowId, ticketStateQuery } from '../../workflows/definitions';
import { CHANNELS, USER_TIERS, type IntakeRequest, type IntakeResult } from '../../workflows/types';
import { callerId, callerOf, mayReadPii } from '../auth';
import { assertNotBlank, HttpError } from '../errors';
import { maskPersonalData } from '../pii';
import type { ApiContext } from '../context';
import { TimedOut, unavailable, withinDeadline } from '../temporal-calls';

const errorBody = { $ref: 'Error#' };
const ticketSummary = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    workflowId: { type: 'string' },
    category: { type: 'string' },
    subtype: { type: 'string' },
    skillGroup: { type: 'string' },
    priority: { type: 'integer' },
    status: { type: 'string' },
    sopType: { type: 'string' },
    sopVersion: { type: 'integer' },
  },
};
const intakeAnswer = {
  type: 'object',
  properties: { requestId: { type: 'string' }, status: { type: 'string' }, reason: { type: 'string' }, tickets: { type: 'array', items: ticketSummary } },
};

interface CreateTicketBody {
  text: string;
  userId: string;
  orderId?: string;
  channel: IntakeRequest['channel'];
  userTier?: IntakeRequest['userTier'];
  region?: string;
  appVersion?: string;
  language?: 'zh' | 'en';
}

const createTicketSchema = {
  summary: 'Open tickets from one piece of user feedback',
  description:
    'Classifies the text, splits it into one ticket per issue and starts one workflow per ticket. ' +
    'Send an Idempotency-Key: the same key returns the same answer and starts nothing new.',
  tags: ['tickets'],
  headers: {
    type: 'object',
    properties: { 'idempotency-key': { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$', description: '1–128 of A-Z a-z 0-9 . _ : -' } },
  },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['text', 'userId', 'channel'],
    properties: {
      text: { type: 'string', minLength: 1, maxLength: 10_000, description: 'the feedback as the user wrote or said it' },
      userId: { type: 'string', minLength: 1, maxLength: 64 },
      orderId: { type: 'string', minLength: 1, maxLength: 64 },
      channel: { type: 'string', enum: CHANNELS },
      userTier: { type: 'string', enum: USER_TIERS },
      region: { type: 'string', minLength: 1, maxLength: 64 },
      appVersion: { type: 'string', minLength: 1, maxLength: 32 },
      language: { type: 'string', enum: ['zh', 'en'] },
    },
  },
  response: { 201: intakeAnswer, 202: intakeAnswer, 400: errorBody, 413: errorBody, 422: errorBody, 503: errorBody },
};

const fingerprint = (body: CreateTicketBody) =>
  createHash('sha256')
    .update(JSON.stringify(Object.entries(body).sort(([a], [b]) => a.localeCompare(b))))
    .digest('hex');

/**
 * The request id (intake_requests.request_id, the answer's requestId, workflow id `intake-<this>`):
 * `<caller id>~<Idempotency-Key or a random UUID>`, the caller being the API key or staff id;
 * `~` appears in no caller id (nor is it allowed in staff ids), so no caller's prefix is another's.
 */
export const intakeRequestId = (caller: string, requestId: string) => `${caller}~${requestId}`;

export const ticketRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  const { temporal, db, config } = ctx;

  app.post<{ Body: CreateTicketBody; Headers: { 'idempotency-key'?: string } }>('/v1/tickets', { schema: createTicketSchema }, async (request, reply) => {
    const body = request.body;
    assertNotBlank('text', body.text);
    const key = request.headers['idempotency-key'];
    const bodyHash = fingerprint(body);
    // idempotency keys are per caller: the same key from two services names two requests
    const requestId = intakeRequestId(callerId(callerOf(request)), key ?? randomUUID());
    const input: IntakeRequest = { ...body, userTier: body.userTier ?? 'standard', requestId, receivedAt: new Date().toISOString() };
    const workflowId = intakeWorkflowId(requestId);

    let replayed = false;
    try {
      await withinDeadline(temporal.connection, 5_000, () =>
        temporal.client.workflow.start(intakeWorkflow, {
          taskQueue: config.temporal.taskQueue,
          workflowId,
          args: [input],
          memo: { bodyHash },
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          staticSummary: `intake of ${body.channel} feedback`, // no user id: the UI shows it to every engineer
        }),
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) unavailable(err, 'could not start the intake');
      const described = await temporal.client.workflow.getHandle(workflowId).describe();
      if (described.memo?.bodyHash !== bodyHash) {
        throw new HttpError(422, 'idempotency_key_reused', `Idempotency-Key ${key} was already used with a different request body`, [{ field: 'Idempotency-Key', reason: 'already used with a different body' }]);
      }
      replayed = true;
    }
    if (replayed) reply.header('Idempotent-Replayed', 'true');
    try {
      const result: IntakeResult = await withinDeadline(temporal.connection, config.api.intakeWaitMs, () => temporal.client.workflow.getHandle<typeof intakeWorkflow>(workflowId).result());
      return reply.status(201).send({ requestId, status: 'created', tickets: result.tickets });
    } catch (err) {
      if (!(err instanceof TimedOut)) throw err;
      // accepted and durable, only slower than we wait: the client polls the request
      return reply.status(202).header('Location', `/v1/requests/${requestId}`).send({ requestId, status: 'processing', tickets: [] });
    }
  });

  app.get<{ Params: { requestId: string } }>(
    '/v1/requests/:requestId',
    { schema: { summary: 'The outcome of one intake request', tags: ['tickets'], response: { 200: intakeAnswer, 202: intakeAnswer, 404: errorBody } } },
    async (request, reply) => {
      // another caller's request: 404, as if it did not exist
      if (!request.params.requestId.startsWith(intakeRequestId(callerId(callerOf(request)), ''))) throw new HttpError(404, 'not_found', `no request ${request.params.requestId}`);
      const handle = temporal.client.workflow.getHandle<typeof intakeWorkflow>(intakeWorkflowId(request.params.requestId));
      try {
        const described = await withinDeadline(temporal.connection, 5_000, () => handle.describe());
        if (described.status.name === 'RUNNING') return reply.status(202).send({ requestId: request.params.requestId, status: 'processing', tickets: [] });
        // an intake that ended without its tickets does not show "processing" forever
        if (described.status.name !== 'COMPLETED') {
          return { requestId: request.params.requestId, status: 'failed', reason: `the intake ${described.status.name.toLowerCase().replace(/_/g, ' ')}; send the feedback again with a new Idempotency-Key`, tickets: [] };
        }
        const result = await handle.result();
        return { requestId: result.requestId, status: 'created', tickets: result.tickets };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw new HttpError(404, 'not_found', `no request ${request.params.requestId}`);
        unavailable(err, 'could not read the request');
      }
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/tickets/:id',
    { schema: { summary: 'A ticket, its events and its live step', tags: ['tickets'], response: { 404: errorBody } } },
    async (request) => {
      const [ticket] = await db.select().from(tickets).where(eq(tickets.id, request.params.id));
      if (!ticket) throw new HttpError(404, 'not_found', `no ticket ${request.params.id}`);
      const events = await db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticket.id)).orderBy(asc(ticketEvents.seq));
      let live = null;
      let liveError: string | undefined;
      try {
        live = await withinDeadline(temporal.connection, 2_000, () => temporal.client.workflow.getHandle(ticket.workflowId).query(ticketStateQuery));
      } catch (err) {
        liveError = err instanceof Error ? err.message : String(err);
      }
      const answer = { ticket, events: events.map(({ id: _id, ...event }) => event), live, ...(liveError ? { liveError } : {}) };
      return mayReadPii(callerOf(request)) ? answer : maskPersonalData(answer);
    },
  );
};
