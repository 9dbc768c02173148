// Staff accounts (admins manage them) and staff sessions: login, logout, and "who am I" for every caller.
import type { FastifyPluginAsync } from 'fastify';
import { asc, eq } from 'drizzle-orm';
import { staff } from '../../schema';
import { STAFF_ROLES, type StaffRole } from '../access-rules';
import { checkPassword, createSession, createStaff, publicStaff, revokeSessions } from '../accounts';
import { callerId, callerOf } from '../auth';
import type { ApiContext } from '../context';
import { assertNotBlank, HttpError } from '../errors';

const errorBody = { $ref: 'Error#' };
const password = { type: 'string', minLength: 12, maxLength: 200 };

export const staffRoutes: FastifyPluginAsync<ApiContext> = async (app, { db, config }) => {
  app.post<{ Body: { username: string; password: string } }>(
    '/v1/auth/login',
    {
      schema: {
        summary: 'Staff login: a session token for Authorization: Bearer',
        tags: ['access'],
        body: { type: 'object', additionalProperties: false, required: ['username', 'password'], properties: { username: { type: 'string', minLength: 1, maxLength: 100 }, password: { type: 'string', minLength: 1, maxLength: 200 } } },
        response: { 400: errorBody, 401: errorBody },
      },
    },
    async (request) => {
      const person = await checkPassword(db, request.body.username, request.body.password);
      if (!person) throw new HttpError(401, 'unauthorized', 'wrong username or password, or the account is disabled');
      const session = await createSession(db, person.id, config.sessionTtlMs);
      return { token: session.token, expiresAt: session.expiresAt, staff: { id: person.id, role: person.role } };
    },
  );

  app.post('/v1/auth/logout', { schema: { summary: 'End this staff session', tags: ['access'] } }, async (request, reply) => {
    const caller = callerOf(request);
    if (caller.kind !== 'staff' || !caller.sessionHash) throw new HttpError(400, 'not_a_session', 'only a session token can be logged out (the bootstrap ADMIN_TOKEN is changed in the environment)');
    await revokeSessions(db, { tokenHash: caller.sessionHash });
    return reply.status(204).send();
  });

  app.get('/v1/me', { schema: { summary: 'Who the credential belongs to, and what it may do', tags: ['access'] } }, async (request) => {
    const { sessionHash: _hash, ...caller } = callerOf(request) as { sessionHash?: string };
    return caller;
  });

  app.post<{ Body: { id: string; username: string; password: string; role: StaffRole; displayName?: string } }>(
    '/v1/staff',
    {
      schema: {
        summary: 'Create a staff account (admins); the id is the employee id that names them in ticket events',
        tags: ['access'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'username', 'password', 'role'],
          properties: {
            id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
            username: { type: 'string', minLength: 1, maxLength: 100 },
            password,
            role: { type: 'string', enum: STAFF_ROLES },
            displayName: { type: 'string', minLength: 1, maxLength: 100 },
          },
        },
        response: { 400: errorBody, 409: errorBody },
      },
    },
    async (request, reply) => {
      assertNotBlank('username', request.body.username);
      if (request.body.id === 'bootstrap-admin') throw new HttpError(409, 'conflict', 'bootstrap-admin is reserved');
      const created = await createStaff(db, { ...request.body, createdBy: callerId(callerOf(request)) });
      if (!created) throw new HttpError(409, 'conflict', `a staff account with id ${request.body.id} or username ${request.body.username} exists`);
      return reply.status(201).send(created);
    },
  );

  app.get('/v1/staff', { schema: { summary: 'Every staff account (without password hashes)', tags: ['access'] } }, async () =>
    (await db.select().from(staff).orderBy(asc(staff.id))).map(publicStaff),
  );

  app.patch<{ Params: { id: string }; Body: { role?: StaffRole; disabled?: boolean } }>(
    '/v1/staff/:id',
    {
      schema: {
        summary: 'Change a role or disable/enable an account; disabling ends its sessions',
        tags: ['access'],
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { role: { type: 'string', enum: STAFF_ROLES }, disabled: { type: 'boolean' } } },
        response: { 400: errorBody, 404: errorBody },
      },
    },
    async (request) => {
      const { role, disabled } = request.body;
      const [row] = await db
        .update(staff)
        .set({ ...(role ? { role } : {}), ...(disabled === undefined ? {} : { disabledAt: disabled ? new Date() : null }) })
        .where(eq(staff.id, request.params.id))
        .returning();
      if (!row) throw new HttpError(404, 'not_found', `no staff account ${request.params.id}`);
      if (disabled) await revokeSessions(db, { staffId: row.id });
      return publicStaff(row);
    },
  );
};
