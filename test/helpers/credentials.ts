// The test stack's credentials, made in one place: a bootstrap admin token, a user-token secret,
// a service key with every scope (what the helpers send by default), and on demand narrower keys
// and staff sessions, so tests can call as someone else.
import { randomBytes } from 'node:crypto';
import { createApiKey, createSession, createStaff } from '../../api/accounts';
import { SCOPES, type Scope, type StaffRole } from '../../api/access-rules';
import type { Config } from '../../config';
import type { Database } from '../../schema';

/** Who a helper calls as: a bearer token, a service acting for a user, or null for no credentials. */
export type As = string | null | { token: string; onBehalfOf?: string };

export function authHeaders(as: As): Record<string, string> {
  if (as === null) return {};
  if (typeof as === 'string') return { authorization: `Bearer ${as}` };
  return { authorization: `Bearer ${as.token}`, ...(as.onBehalfOf !== undefined ? { 'x-on-behalf-of': as.onBehalfOf } : {}) };
}

/** Sets strong random credentials into the config (before the app reads them). */
export function setTestSecrets(config: Config): void {
  config.credentials.adminToken = randomBytes(32).toString('base64url');
  config.credentials.userTokenSecret = randomBytes(32).toString('base64url');
}

export async function testCredentials(db: Database, config: Config) {
  const keys = new Map<string, Promise<string>>();
  const sessions = new Map<string, Promise<string>>();
  const apiKey = (scopes: readonly Scope[], name = `test key (${scopes.join(' ') || 'no scopes'})`) => {
    const id = `${name}|${[...scopes].sort().join(',')}`;
    if (!keys.has(id)) keys.set(id, createApiKey(db, { name, scopes, createdBy: 'test stack' }).then((k) => k.secret));
    return keys.get(id)!;
  };
  /** A session token of staff member `id` with `role` (the account is created on first use). */
  const staff = (id: string, role: StaffRole = 'agent') => {
    const key = `${id}|${role}`;
    if (!sessions.has(key)) {
      sessions.set(
        key,
        (async () => {
          await createStaff(db, { id, username: `${id}-${role}`, password: randomBytes(16).toString('hex'), role, createdBy: 'test stack' });
          return (await createSession(db, id, 3_600_000)).token;
        })(),
      );
    }
    return sessions.get(key)!;
  };
  return {
    admin: config.credentials.adminToken!,
    /** every scope: what postTicket, getTicket, sendSignal… send unless told otherwise */
    service: await apiKey(SCOPES, 'test service (all scopes)'),
    apiKey,
    staff,
  };
}

export type TestCredentials = Awaited<ReturnType<typeof testCredentials>>;

/** Headers of the bootstrap admin (admin-only routes such as the payload codec). */
export const adminHeaders = (stack: { auth: TestCredentials }) => authHeaders(stack.auth.admin);
