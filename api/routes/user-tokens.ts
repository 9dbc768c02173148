// POST /v1/tickets/:id/user-tokens: a service (user_tokens:issue) gets a signed token for the
// ticket's user, to put into a link: one ticket, one user, one purpose, one confirmation wait.
import type { FastifyPluginAsync } from 'fastify';
import { eq } from 'drizzle-orm';
import { tickets } from '../../schema';
import { mintUserToken, USER_TOKEN_PURPOSES, type UserTokenPurpose } from '../../domain/user-token';
import type { ApiContext } from '../context';
import { HttpError } from '../errors';
import { latestConfirmationWait } from '../user-tokens';

const errorBody = { $ref: 'Error#' };
const DEFAULT_TTL_S = 7 * 24 * 3600;

export const userTokenRoutes: FastifyPluginAsync<ApiContext> = async (app, { db, config }) => {
  app.post<{ Params: { id: string }; Body: { purpose: UserTokenPurpose; ttlSeconds?: number } }>(
    '/v1/tickets/:id/user-tokens',
    {
      schema: {
        summary: "Issue a single-use token that lets the ticket's user confirm, reject, rate or reopen it",
        description: 'confirm/reject tokens answer the current confirmation wait and expire no later than its deadline.',
        tags: ['access'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['purpose'],
          properties: { purpose: { type: 'string', enum: USER_TOKEN_PURPOSES }, ttlSeconds: { type: 'integer', minimum: 1, maximum: 30 * 24 * 3600 } },
        },
        response: { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 503: errorBody },
      },
    },
    async (request, reply) => {
      const secret = config.credentials.userTokenSecret;
      if (!secret) throw new HttpError(503, 'user_tokens_disabled', 'USER_TOKEN_SECRET is not set on this server');
      const ticketId = request.params.id;
      const [ticket] = await db.select({ userId: tickets.userId, status: tickets.status }).from(tickets).where(eq(tickets.id, ticketId));
      if (!ticket) throw new HttpError(404, 'not_found', `no ticket ${ticketId}`);
      const { purpose } = request.body;
      let expiresAt = new Date(Date.now() + (request.body.ttlSeconds ?? DEFAULT_TTL_S) * 1000);
      let waitSeq: number | undefined;
      if (purpose === 'confirm' || purpose === 'reject') {
        const wait = ticket.status === 'awaiting_confirmation' ? await latestConfirmationWait(db, ticketId) : undefined;
        if (!wait) throw new HttpError(409, 'wrong_state', `ticket is ${ticket.status}, not awaiting a confirmation`);
        waitSeq = wait.seq;
        if (wait.deadline && new Date(wait.deadline) < expiresAt) expiresAt = new Date(wait.deadline);
        if (expiresAt.getTime() <= Date.now()) throw new HttpError(409, 'wrong_state', 'the confirmation wait has passed its deadline');
      }
      const { token, tokenId } = await mintUserToken(secret, { userId: ticket.userId, ticketId, purpose, ...(waitSeq !== undefined ? { waitSeq } : {}), expiresAt });
      return reply.status(201).send({ token, tokenId, ticketId, userId: ticket.userId, purpose, ...(waitSeq !== undefined ? { waitSeq } : {}), expiresAt });
    },
  );
};
