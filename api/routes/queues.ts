// A group's queue (pull order, SLA time left, holders) and its distribution policy.
import type { FastifyPluginAsync } from 'fastify';
import { DEFAULT_GROUP_POLICY } from '../../domain/dispatch';
import { DISPATCH_POLICIES, SILENCE_ACTIONS, type DispatchPolicy, type SilenceAction } from '../../schema';
import { groupPolicy, listQueue, setGroupPolicy } from '../../schema/dispatch-repository';
import { SKILL_GROUPS } from '../../sops/actions';
import type { ApiContext } from '../context';
import { HttpError } from '../errors';

const errorBody = { $ref: 'Error#' };
const groupParams = { type: 'object', properties: { group: { type: 'string', enum: SKILL_GROUPS } } };

export const queueRoutes: FastifyPluginAsync<ApiContext> = async (app, { db }) => {
  app.get<{ Params: { group: string }; Querystring: { limit?: string } }>(
    '/v1/queues/:group',
    {
      schema: {
        summary: "A group's queue in pull order: effective priority (aging included), deadline, SLA time left, holder",
        tags: ['dispatch'],
        params: groupParams,
        querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'string', pattern: '^[1-9][0-9]{0,2}$' } } },
        response: { 400: errorBody },
      },
    },
    async (request) => ({
      group: request.params.group,
      policy: await groupPolicy(db, request.params.group),
      items: await listQueue(db, request.params.group, { limit: request.query.limit ? Number(request.query.limit) : undefined }),
    }),
  );

  app.put<{ Params: { group: string }; Body: { policy: DispatchPolicy; agingMs?: number; silenceMs?: number | null; silenceAction?: SilenceAction | null } }>(
    '/v1/queues/:group/policy',
    {
      schema: {
        summary: "Set a group's policy: round_robin, least_loaded or pull_only; aging; the silence rule (no action by the holder for silenceMs → remind, reassign or notify_supervisor)",
        tags: ['dispatch'],
        params: groupParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['policy'],
          properties: {
            policy: { type: 'string', enum: DISPATCH_POLICIES },
            agingMs: { type: 'integer', minimum: 1, maximum: 7 * 24 * 3_600_000 },
            silenceMs: { type: ['integer', 'null'], minimum: 1, maximum: 30 * 24 * 3_600_000 },
            silenceAction: { type: ['string', 'null'], enum: [...SILENCE_ACTIONS, null] },
          },
        },
        response: { 400: errorBody },
      },
    },
    async (request) => {
      const { policy, agingMs, silenceMs = null, silenceAction = null } = request.body;
      if ((silenceMs === null) !== (silenceAction === null)) {
        throw new HttpError(400, 'validation_failed', 'silenceMs and silenceAction go together', [{ field: silenceMs === null ? 'silenceMs' : 'silenceAction', reason: 'is required with the other' }]);
      }
      return setGroupPolicy(db, { group: request.params.group, policy, agingMs: agingMs ?? DEFAULT_GROUP_POLICY.agingMs, silenceMs, silenceAction });
    },
  );
};
