// Agents: their profiles (groups, capacity, presence), the tickets they hold, and pulling the next one.
import type { FastifyPluginAsync } from 'fastify';
import { asc, eq } from 'drizzle-orm';
import { pullNext } from '../../dispatch/assign';
import { agentProfiles, AGENT_STATUSES, staff, type AgentStatus } from '../../schema';
import { agentProfile, agentTickets, upsertAgentProfile } from '../../schema/dispatch-repository';
import { SKILL_GROUPS } from '../../sops/actions';
import { mayActFor, staffCaller } from '../agent-caller';
import { assignedOrThrow } from '../claim-answers';
import type { ApiContext } from '../context';
import { HttpError } from '../errors';
import { unavailable } from '../temporal-calls';

const errorBody = { $ref: 'Error#' };
const agentParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } };

export const agentRoutes: FastifyPluginAsync<ApiContext> = async (app, { db, temporal }) => {
  /** 404 for an id without a profile (staff ids are not secret among staff), before the 403 of acting for others */
  async function mustBeAgent(id: string) {
    if (!(await agentProfile(db, id))) throw new HttpError(404, 'not_found', `${id} has no agent profile: PATCH /v1/agents/${id} with groups first`);
  }

  async function next(agentId: string, by: string) {
    try {
      return { agentId, assigned: assignedOrThrow(await pullNext(temporal.client, db, agentId, by), agentId) };
    } catch (err) {
      // a claim whose update did not get through stays claimed; the dispatcher sends it again (dispatch/assign.ts)
      unavailable(err, 'could not assign the ticket');
    }
  }

  app.get(
    '/v1/agents',
    { schema: { summary: 'Every agent profile: groups, capacity, status', tags: ['dispatch'] } },
    async () =>
      db
        .select({ id: agentProfiles.staffId, displayName: staff.displayName, role: staff.role, groups: agentProfiles.groups, maxConcurrent: agentProfiles.maxConcurrent, status: agentProfiles.status })
        .from(agentProfiles)
        .innerJoin(staff, eq(staff.id, agentProfiles.staffId))
        .orderBy(asc(agentProfiles.staffId)),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/agents/:id/tickets',
    { schema: { summary: 'The tickets an agent holds, by effective priority', tags: ['dispatch'], params: agentParams, response: { 403: errorBody } } },
    async (request) => {
      await mustBeAgent(request.params.id);
      mayActFor(staffCaller(request), request.params.id, "read another agent's tickets");
      return { agentId: request.params.id, items: await agentTickets(db, request.params.id) };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/agents/:id/next',
    { schema: { summary: "Pull the next ticket of the agent's groups (effective priority, then deadline)", tags: ['dispatch'], params: agentParams, response: { 403: errorBody, 404: errorBody, 409: errorBody, 503: errorBody } } },
    async (request) => {
      const caller = staffCaller(request);
      await mustBeAgent(request.params.id);
      mayActFor(caller, request.params.id, 'pull tickets for another agent');
      return next(request.params.id, caller.id);
    },
  );

  app.post('/v1/me/next', { schema: { summary: 'Pull my next ticket', tags: ['dispatch'], response: { 403: errorBody, 404: errorBody, 409: errorBody, 503: errorBody } } }, async (request) => {
    const caller = staffCaller(request);
    return next(caller.id, caller.id);
  });

  app.patch<{ Params: { id: string }; Body: { status?: AgentStatus; maxConcurrent?: number; groups?: string[] } }>(
    '/v1/agents/:id',
    {
      schema: {
        summary: 'Change an agent: status (the agent or a supervisor), capacity and groups (supervisors and admins)',
        tags: ['dispatch'],
        params: agentParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            status: { type: 'string', enum: AGENT_STATUSES },
            maxConcurrent: { type: 'integer', minimum: 0, maximum: 100 },
            groups: { type: 'array', maxItems: 20, items: { type: 'string', enum: SKILL_GROUPS } },
          },
        },
        response: { 400: errorBody, 403: errorBody, 404: errorBody },
      },
    },
    async (request) => {
      const caller = staffCaller(request);
      const { id } = request.params;
      const [person] = await db.select({ id: staff.id }).from(staff).where(eq(staff.id, id));
      if (!person) throw new HttpError(404, 'not_found', `no staff account ${id}`);
      mayActFor(caller, id, 'change this agent');
      if (!caller.lead && (request.body.groups !== undefined || request.body.maxConcurrent !== undefined)) {
        throw new HttpError(403, 'forbidden', 'only a supervisor or admin changes groups and capacity; agents change their status');
      }
      const row = await upsertAgentProfile(db, id, request.body);
      return { id: row.staffId, groups: row.groups, maxConcurrent: row.maxConcurrent, status: row.status };
    },
  );
};
