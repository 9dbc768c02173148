// Authentication and authorisation in one plugin. Every request to a route gets `request.caller`
// from its bearer credential (API key, staff session, bootstrap ADMIN_TOKEN or signed user token),
// then the route's rule from access-rules.ts is checked: 401 without or with a bad credential,
// 403 for a wrong scope, role, purpose or someone else's ticket. A route without a rule cannot be registered.
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { apiKeys, staff, staffSessions, tickets } from '../schema';
import { looksLikeJws, UserTokenError, verifyUserToken } from '../domain/user-token';
import { PII_ROLES, ruleOf, type AccessRule, type Scope, type StaffRole, type UserPurpose } from './access-rules';
import type { ApiContext } from './context';
import { HttpError } from './errors';
import { RecentAnswers, staleIfError } from './recent-answers';
import { API_KEY_PREFIX, hashSecret, sameSecret, SESSION_PREFIX } from './secrets';

export type Caller =
  | { kind: 'service'; id: string; name: string; scopes: Scope[] }
  | { kind: 'staff'; id: string; role: StaffRole; sessionHash?: string }
  | { kind: 'user'; userId: string; ticketId: string; purpose: UserPurpose; waitSeq?: number; tokenId: string; expiresAt: Date };

export const BOOTSTRAP_ADMIN_ID = 'bootstrap-admin';
/** A service acting for an end user names them here; they must be the ticket's user. */
export const ON_BEHALF_HEADER = 'x-on-behalf-of';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
    /** set when a service with tickets:act_for_user acts for this end user */
    onBehalfOf?: string;
  }
}

const unauthorized = (message: string) => new HttpError(401, 'unauthorized', message);
const forbidden = (message: string) => new HttpError(403, 'forbidden', message);

/** The caller of a route that requires one (the auth hook ran before): never undefined in handlers. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw unauthorized('this route needs credentials');
  return request.caller;
}

/** The id that scopes idempotency keys and request ids: the API key, staff member or token. */
export function callerId(caller: Caller): string {
  return caller.kind === 'user' ? `user-token:${caller.tokenId}` : caller.id;
}

/** Phone numbers, addresses and coupon codes: services with tickets:read_pii and staff agents, supervisors, admins. */
export function mayReadPii(caller: Caller): boolean {
  if (caller.kind === 'service') return caller.scopes.includes('tickets:read_pii');
  if (caller.kind === 'staff') return PII_ROLES.includes(caller.role);
  return false;
}

export const authPlugin = fp<ApiContext>(
  async (app, ctx) => {
    const { db, config } = ctx;
    // during a database outage, credentials seen in the last minute and known ticket owners still answer (docs/SECURITY.md)
    const read = staleIfError();
    const recentCallers = new RecentAnswers<Caller>(60_000);
    const ticketOwners = new RecentAnswers<string>(24 * 60 * 60_000); // a ticket's user never changes

    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) {
        if (!ruleOf(method, route.url)) {
          throw new Error(`route ${method} ${route.url} has no access rule: add it to ROUTE_ACCESS in api/access-rules.ts`);
        }
      }
    });

    async function authenticate(request: FastifyRequest): Promise<Caller> {
      const header = request.headers.authorization;
      if (!header) throw unauthorized('send Authorization: Bearer <API key, session token or user token>');
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) throw unauthorized('the Authorization header must be "Bearer <token>"');
      const token = match[1]!;

      if (token.startsWith(API_KEY_PREFIX)) {
        const keyHash = hashSecret(token);
        const caller = await read(recentCallers, keyHash, async () => {
          const [key] = await db.select().from(apiKeys).where(eq(apiKeys.secretHash, keyHash));
          if (!key) throw unauthorized('unknown API key');
          if (key.revokedAt) throw unauthorized(`API key ${key.id} was revoked`);
          return { kind: 'service', id: key.id, name: key.name, scopes: key.scopes as Scope[] } satisfies Caller;
        });
        return caller!;
      }
      if (token.startsWith(SESSION_PREFIX)) {
        const sessionHash = hashSecret(token);
        const caller = await read(recentCallers, sessionHash, async () => {
          const [row] = await db
            .select({ id: staff.id, role: staff.role, disabledAt: staff.disabledAt })
            .from(staffSessions)
            .innerJoin(staff, eq(staff.id, staffSessions.staffId))
            .where(and(eq(staffSessions.tokenHash, sessionHash), isNull(staffSessions.revokedAt), gt(staffSessions.expiresAt, new Date())));
          if (!row) throw unauthorized('unknown, expired or logged-out session: log in again');
          if (row.disabledAt) throw unauthorized(`staff account ${row.id} is disabled`);
          return { kind: 'staff', id: row.id, role: row.role as StaffRole, sessionHash } satisfies Caller;
        });
        return caller!;
      }
      if (looksLikeJws(token)) {
        if (!config.credentials.userTokenSecret) throw unauthorized('user tokens are not enabled here (USER_TOKEN_SECRET is unset)');
        try {
          return { kind: 'user', ...(await verifyUserToken(config.credentials.userTokenSecret, token)) };
        } catch (err) {
          if (err instanceof UserTokenError) throw unauthorized(err.message);
          throw err;
        }
      }
      if (config.credentials.adminToken && sameSecret(token, config.credentials.adminToken)) return { kind: 'staff', id: BOOTSTRAP_ADMIN_ID, role: 'admin' };
      throw unauthorized('unknown token');
    }

    async function ticketUserId(ticketId: string): Promise<string | undefined> {
      return read(ticketOwners, ticketId, async () => (await db.select({ userId: tickets.userId }).from(tickets).where(eq(tickets.id, ticketId)))[0]?.userId);
    }

    /** Acting for an end user: only on that user's ticket (an unknown ticket is left to the route's 404). */
    async function assertTicketOf(userId: string, ticketId: string | undefined): Promise<void> {
      if (!ticketId) throw forbidden('acting for a user needs a ticket in the path');
      const owner = await ticketUserId(ticketId);
      if (owner !== undefined && owner !== userId) throw forbidden(`ticket ${ticketId} belongs to another user`);
    }

    async function authorize(request: FastifyRequest, rule: Exclude<AccessRule, { public: string }>, caller: Caller): Promise<void> {
      if ('anyCaller' in rule && rule.anyCaller) return;
      const ticketId = (request.params as { id?: string } | undefined)?.id;
      const roles: readonly StaffRole[] = ('roles' in rule && rule.roles) || [];
      const purposes: readonly UserPurpose[] = ('user' in rule && rule.user) || [];
      const scope: Scope | undefined = 'scope' in rule ? rule.scope : undefined;

      if (caller.kind === 'staff') {
        if (roles.includes(caller.role)) return;
        throw forbidden(roles.length ? `this needs the role ${roles.join(' or ')}; you are ${caller.role}` : 'staff may not call this route');
      }
      const self = 'self' in rule && rule.self === true;
      const pathId = (request.params as { id?: string } | undefined)?.id;
      if (self && caller.kind === 'user') {
        if (caller.userId !== pathId) throw forbidden(`this user token is for user ${caller.userId}, not ${pathId ?? 'this route'}`);
        return;
      }
      if (self && caller.kind === 'service') {
        if (!caller.scopes.includes('tickets:act_for_user')) throw forbidden(`this needs the scope tickets:act_for_user (with X-On-Behalf-Of); key ${caller.id} has ${caller.scopes.join(', ') || 'no scopes'}`);
        const onBehalfOf = request.headers[ON_BEHALF_HEADER];
        if (typeof onBehalfOf !== 'string' || !onBehalfOf.trim()) throw forbidden('acting for a user: name them in the X-On-Behalf-Of header');
        if (onBehalfOf !== pathId) throw forbidden(`acting for ${onBehalfOf}: user ${pathId ?? '?'} is another user`);
        request.onBehalfOf = onBehalfOf;
        return;
      }
      if (caller.kind === 'user') {
        if (!purposes.includes(caller.purpose)) {
          throw forbidden(purposes.length ? `a user token for "${caller.purpose}" cannot do this (needs ${purposes.join(' or ')})` : 'a user token cannot call this route');
        }
        if (caller.ticketId !== ticketId) throw forbidden(`this user token is for ticket ${caller.ticketId}, not ${ticketId ?? 'this route'}`);
        await assertTicketOf(caller.userId, ticketId);
        return;
      }
      // a service
      const onBehalfOf = request.headers[ON_BEHALF_HEADER];
      const actsForUser = purposes.length > 0 && caller.scopes.includes('tickets:act_for_user');
      if (scope && caller.scopes.includes(scope) && (onBehalfOf === undefined || !actsForUser)) return;
      if (actsForUser) {
        if (typeof onBehalfOf !== 'string' || !onBehalfOf.trim()) throw forbidden('acting for a user: name them in the X-On-Behalf-Of header');
        await assertTicketOf(onBehalfOf, ticketId);
        request.onBehalfOf = onBehalfOf;
        return;
      }
      const needs = [scope, purposes.length ? 'tickets:act_for_user (with X-On-Behalf-Of)' : undefined].filter(Boolean);
      throw forbidden(needs.length ? `this needs the scope ${needs.join(' or ')}; key ${caller.id} has ${caller.scopes.join(', ') || 'no scopes'}` : 'services may not call this route');
    }

    app.addHook('onRequest', async (request) => {
      const url = request.routeOptions.url;
      if (!url) return; // no route: the 404 handler answers
      const rule = ruleOf(request.method, url);
      if (!rule) throw new HttpError(500, 'no_access_rule', `route ${request.method} ${url} has no access rule`);
      if ('public' in rule) return;
      const caller = await authenticate(request);
      request.caller = caller;
      await authorize(request, rule, caller);
    });
  },
  { name: 'ticketflow-auth' },
);
