// Service API keys, managed by admins: the secret is returned once, at creation.
import type { FastifyPluginAsync } from 'fastify';
import { desc, eq } from 'drizzle-orm';
import { apiKeys } from '../../schema';
import { SCOPES, type Scope } from '../access-rules';
import { createApiKey, publicApiKey } from '../accounts';
import { callerId, callerOf } from '../auth';
import type { ApiContext } from '../context';
import { assertNotBlank, HttpError } from '../errors';

const errorBody = { $ref: 'Error#' };

export const apiKeyRoutes: FastifyPluginAsync<ApiContext> = async (app, { db }) => {
  app.post<{ Body: { name: string; scopes: Scope[] } }>(
    '/v1/api-keys',
    {
      schema: {
        summary: 'Create an API key for a service (admins); the secret is shown only in this answer',
        tags: ['access'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'scopes'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            scopes: { type: 'array', minItems: 1, maxItems: SCOPES.length, uniqueItems: true, items: { type: 'string', enum: SCOPES } },
          },
        },
        response: { 400: errorBody, 401: errorBody, 403: errorBody },
      },
    },
    async (request, reply) => {
      assertNotBlank('name', request.body.name);
      const { key, secret } = await createApiKey(db, { name: request.body.name.trim(), scopes: request.body.scopes, createdBy: callerId(callerOf(request)) });
      return reply.status(201).send({ ...key, secret });
    },
  );

  app.get('/v1/api-keys', { schema: { summary: 'Every API key (without secrets), revoked ones included', tags: ['access'] } }, async () =>
    (await db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt))).map(publicApiKey),
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/api-keys/:id',
    { schema: { summary: 'Revoke an API key: it is refused from the next request on', tags: ['access'], response: { 404: errorBody } } },
    async (request) => {
      const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, request.params.id));
      if (!row) throw new HttpError(404, 'not_found', `no API key ${request.params.id}`);
      if (row.revokedAt) return publicApiKey(row);
      const [revoked] = await db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, row.id)).returning();
      return publicApiKey(revoked!);
    },
  );
};
