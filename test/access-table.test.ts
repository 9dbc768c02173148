// Walks ROUTE_ACCESS (the table docs/SECURITY.md prints) against the running API: for every route,
// each allowed caller passes, no credentials get 401, every other scope and role gets 403, and a
// user's token or a service acting for a user is refused on another user's ticket.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { accessTableMarkdown, ROUTE_ACCESS, SCOPES, STAFF_ROLES, USER_PURPOSES, type AccessRule, type RouteKey, type Scope, type StaffRole, type UserPurpose } from '../api/access-rules';
import { projectRoot } from '../config';
import { mintUserToken } from '../domain/user-token';
import type { As } from './helpers/credentials';
import { startTestStack, type TestStack } from './helpers/stack';
import { api, postTicket } from './helpers/tickets';

let stack: TestStack;
let mine: { id: string; userId: string };
let theirs: { id: string; userId: string };
test.before(async () => {
  stack = await startTestStack();
  const open = async (userId: string) => ({ id: (await postTicket(stack, { text: '你好,在吗?', userId })).body.tickets[0].id as string, userId });
  mine = await open('U-owner');
  theirs = await open('U-other');
});
test.after.always(async () => {
  await stack?.close();
});

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** A request that reaches each route's handler; allowed callers get its own answer (2xx, 400, 404 or 409), never 401/403. */
async function sample(route: RouteKey, ticketId: string): Promise<{ url: string; payload?: unknown }> {
  switch (route) {
    case 'GET /v1/tickets/:id':
      return { url: `/v1/tickets/${ticketId}` };
    case 'POST /v1/tickets/:id/confirmation':
      return { url: `/v1/tickets/${ticketId}/confirmation`, payload: { accepted: true } };
    case 'POST /v1/tickets/:id/decision':
      return { url: `/v1/tickets/${ticketId}/decision`, payload: { decision: 'no-such-decision' } };
    case 'POST /v1/tickets/:id/signals/:name':
      return { url: `/v1/tickets/${ticketId}/signals/tech_fixed`, payload: {} };
    case 'POST /v1/tickets/:id/reopen':
      return { url: `/v1/tickets/${ticketId}/reopen`, payload: { reason: 'not solved' } };
    case 'POST /v1/tickets/:id/rating':
      return { url: `/v1/tickets/${ticketId}/rating`, payload: { score: 5 } };
    case 'POST /v1/tickets/:id/user-tokens':
      return { url: `/v1/tickets/${ticketId}/user-tokens`, payload: { purpose: 'rate' } };
    case 'GET /v1/users/:id/messages':
    case 'GET /v1/users/:id/preferences':
      return { url: route.split(' ')[1]!.replace(':id', ownerOf(ticketId)) };
    case 'GET /v1/users/:id/messages/stream':
      return { url: `/v1/users/${ownerOf(ticketId)}/messages/stream?maxSeconds=0` };
    case 'PUT /v1/users/:id/preferences':
      return { url: `/v1/users/${ownerOf(ticketId)}/preferences`, payload: { channels: ['sms', 'email'] } };
    case 'POST /v1/tickets':
      return { url: '/v1/tickets', payload: { text: '你好', userId: 'U-walk', channel: 'app' } };
    case 'GET /v1/requests/:requestId':
      return { url: '/v1/requests/no-such-request' };
    case 'POST /v1/classify':
      return { url: '/v1/classify', payload: { text: '过路费收了两次' } };
    case 'POST /v1/sops/validate':
      return { url: '/v1/sops/validate', payload: { document: {} } };
    case 'POST /v1/sops/:type/versions':
      return { url: '/v1/sops/fee_dispute/versions', payload: { document: {} } };
    case 'GET /v1/sops/:type/versions':
      return { url: '/v1/sops/fee_dispute/versions' };
    case 'GET /v1/sops/:type/versions/:version':
      return { url: '/v1/sops/fee_dispute/versions/latest' };
    case 'POST /v1/api-keys':
      return { url: '/v1/api-keys', payload: { name: 'walk', scopes: ['classify'] } };
    case 'DELETE /v1/api-keys/:id': {
      const { body } = await api(stack, 'POST', '/v1/api-keys', { payload: { name: 'to revoke', scopes: ['classify'] }, as: stack.auth.admin });
      return { url: `/v1/api-keys/${body.id}` };
    }
    case 'POST /v1/staff':
      return { url: '/v1/staff', payload: { id: `S-${randomUUID().slice(0, 8)}`, username: randomUUID(), password: 'a long enough password', role: 'agent' } };
    case 'PATCH /v1/staff/:id':
      await stack.auth.staff('walk-target', 'agent');
      return { url: '/v1/staff/walk-target', payload: { role: 'agent' } };
    case 'GET /v1/kb/search':
      return { url: `/v1/kb/search?q=${encodeURIComponent('等候费')}` };
    case 'GET /v1/kb/articles/:id':
      return { url: '/v1/kb/articles/fare-waiting-zh' };
    case 'GET /v1/kb/articles/:id/versions':
      return { url: '/v1/kb/articles/fare-waiting-zh/versions' };
    case 'POST /v1/kb/articles':
      return { url: '/v1/kb/articles', payload: { pairId: 'walk-article', kind: 'faq', lang: 'en' } };
    case 'PUT /v1/kb/articles/:id':
      return { url: '/v1/kb/articles/fare-waiting-en', payload: { title: '' } };
    case 'POST /v1/auth/login': {
      const username = `walker-${randomUUID()}`;
      await api(stack, 'POST', '/v1/staff', { payload: { id: username.slice(0, 40), username, password: 'walk the table please', role: 'agent' }, as: stack.auth.admin });
      return { url: '/v1/auth/login', payload: { username, password: 'walk the table please' } };
    }
    // work distribution: an unknown agent answers 404 before the check of acting for others; the walker's staff have no profile
    case 'GET /v1/queues/:group':
      return { url: '/v1/queues/general_group' };
    case 'PUT /v1/queues/:group/policy':
      return { url: '/v1/queues/qa_group/policy', payload: { policy: 'pull_only' } };
    case 'GET /v1/agents/:id/tickets':
      return { url: '/v1/agents/no-such-agent/tickets' };
    case 'POST /v1/agents/:id/next':
      return { url: '/v1/agents/no-such-agent/next' };
    case 'PATCH /v1/agents/:id':
      return { url: '/v1/agents/no-such-agent', payload: { status: 'online' } };
    case 'POST /v1/tickets/:id/assign':
      return { url: `/v1/tickets/${ticketId}/assign`, payload: {} };
    case 'POST /v1/tickets/:id/release':
      return { url: `/v1/tickets/${ticketId}/release`, payload: {} };
    case 'POST /v1/tickets/:id/transfer':
      return { url: `/v1/tickets/${ticketId}/transfer`, payload: { to: 'no-such-agent' } };
    case 'POST /v1/tickets/:id/escalate':
      return { url: `/v1/tickets/${theirs.id}/escalate`, payload: { reason: 'walk' } };
    case 'POST /v1/tickets/:id/info-request':
      return { url: `/v1/tickets/${ticketId}/info-request`, payload: { question: 'Which order?' } };
    case 'POST /v1/tickets/:id/info':
      return { url: `/v1/tickets/${ticketId}/info`, payload: { answer: 'ORD-1' } };
    case 'GET /v1/tickets/:id/order':
      return { url: `/v1/tickets/${ticketId}/order` };
    case 'GET /v1/tickets/:id/similar-cases':
      return { url: `/v1/tickets/${ticketId}/similar-cases` };
    case 'GET /v1/metrics/funnel':
      return { url: '/v1/metrics/funnel?sop=fee_dispute' };
    default:
      return { url: route.split(' ')[1]! };
  }
}

/** routes about an end user (`/v1/users/:id/…`) take the user of the ticket the walk is about */
const ownerOf = (ticketId: string) => (ticketId === theirs.id ? theirs.userId : mine.userId);
const methodOf = (route: RouteKey) => route.split(' ')[0] as Method;
const userToken = async (ticketId: string, userId: string, purpose: UserPurpose) =>
  (await mintUserToken(stack.config.credentials.userTokenSecret!, { ticketId, userId, purpose, expiresAt: new Date(Date.now() + 600_000) })).token;
/** a fresh staff member per route: logging out must not end the session other checks use */
const staffAs = (role: StaffRole, route: RouteKey) => stack.auth.staff(`walk-${role}-${route.includes('logout') ? 'logout' : 'x'}`, role);

async function call(route: RouteKey, as: As, ticketId = mine.id) {
  const { url, payload } = await sample(route, ticketId);
  return api(stack, methodOf(route), url, { payload, as });
}

for (const [route, rule] of Object.entries(ROUTE_ACCESS) as Array<[RouteKey, AccessRule]>) {
  if ('public' in rule) {
    test(`${route} is public (${rule.public})`, async (t) => {
      const { status, body } = await call(route, null);
      t.true(status < 300, `got ${status} ${JSON.stringify(body)}`);
    });
    continue;
  }
  const scope: Scope | undefined = 'scope' in rule ? rule.scope : undefined;
  const roles: readonly StaffRole[] = ('roles' in rule && rule.roles) || [];
  const purposes: readonly UserPurpose[] = ('user' in rule && rule.user) || [];
  const self = 'self' in rule && rule.self === true;

  test(`${route}: 401 without credentials or with an unknown token`, async (t) => {
    const none = await call(route, null);
    t.is(none.status, 401);
    t.is(none.body.error, 'unauthorized');
    t.is((await call(route, 'tfk_not-a-real-key')).status, 401);
    t.is((await call(route, 'not-the-admin-token')).status, 401);
  });

  test(`${route}: the allowed callers pass`, async (t) => {
    const allowed: Array<[string, As]> = [];
    if ('anyCaller' in rule) allowed.push(['a service key', await stack.auth.apiKey(['classify'])], ['the bootstrap admin', stack.auth.admin]);
    if (scope) allowed.push([`a key with ${scope}`, await stack.auth.apiKey([scope])]);
    for (const role of roles) allowed.push([`staff ${role}`, await staffAs(role, route)]);
    for (const purpose of purposes) allowed.push([`a ${purpose} user token`, await userToken(mine.id, mine.userId, purpose)]);
    if (purposes.length || self) allowed.push(['a service acting for the ticket user', { token: await stack.auth.apiKey(['tickets:act_for_user']), onBehalfOf: mine.userId }]);
    if (self) for (const purpose of USER_PURPOSES) allowed.push([`a ${purpose} user token of this user`, await userToken(mine.id, mine.userId, purpose)]);
    t.true(allowed.length > 0);
    for (const [who, as] of allowed) {
      const { status, body } = await call(route, as);
      t.true(status !== 401 && status !== 403 && status < 500, `${who}: ${status} ${JSON.stringify(body)}`);
    }
  });

  if ('anyCaller' in rule) continue;

  test(`${route}: 403 for every other scope, role and purpose`, async (t) => {
    const otherScopes = SCOPES.filter((s) => s !== scope && !(purposes.length && s === 'tickets:act_for_user'));
    const wrongKey = await stack.auth.apiKey(otherScopes);
    const refused: Array<[string, As]> = [[`a key with every other scope`, wrongKey]];
    for (const role of STAFF_ROLES.filter((r) => !roles.includes(r))) refused.push([`staff ${role}`, await staffAs(role, route)]);
    for (const purpose of USER_PURPOSES.filter((p) => !purposes.includes(p) && !self)) refused.push([`a ${purpose} user token`, await userToken(mine.id, mine.userId, purpose)]);
    for (const [who, as] of refused) {
      const { status, body } = await call(route, as);
      t.is(status, 403, `${who}: ${JSON.stringify(body)}`);
      t.is(body.error, 'forbidden');
      t.true(body.message.length > 10, body.message);
    }
  });

  if (purposes.length) {
    test(`${route}: refused on another user's ticket`, async (t) => {
      const ownToken = await userToken(mine.id, mine.userId, purposes[0]!);
      const theirsWithMine = await call(route, ownToken, theirs.id);
      t.is(theirsWithMine.status, 403);
      t.regex(theirsWithMine.body.message, /for ticket/);
      const forged = await userToken(theirs.id, mine.userId, purposes[0]!); // signed, but names the wrong user for that ticket
      t.is((await call(route, forged, theirs.id)).status, 403);
      await refusesActingService(t, route);
    });
  }
}

/** A service with tickets:act_for_user is refused for another user's ticket, and when it names no user. */
async function refusesActingService(t: ExecutionContext, route: RouteKey) {
  const actingForMe = { token: await stack.auth.apiKey(['tickets:act_for_user']), onBehalfOf: mine.userId };
  const other = await call(route, actingForMe, theirs.id);
  t.is(other.status, 403);
  t.regex(other.body.message, /another user/);
  const unnamed = await call(route, { token: await stack.auth.apiKey(['tickets:act_for_user']) });
  t.is(unnamed.status, 403);
  t.regex(unnamed.body.message, /X-On-Behalf-Of/);
}

for (const [route, rule] of Object.entries(ROUTE_ACCESS) as Array<[RouteKey, AccessRule]>) {
  if (!('self' in rule && rule.self)) continue;
  test(`${route}: refused for another user`, async (t) => {
    const myToken = await userToken(mine.id, mine.userId, 'rate');
    const withMine = await call(route, myToken, theirs.id);
    t.is(withMine.status, 403);
    t.regex(withMine.body.message, /is for user/);
    await refusesActingService(t, route);
  });
}

test('docs/SECURITY.md prints this same table', (t) => {
  const doc = fs.readFileSync(path.join(projectRoot, 'docs', 'SECURITY.md'), 'utf8');
  const printed = /<!-- access-table:start -->\n([\s\S]*?)\n<!-- access-table:end -->/.exec(doc)?.[1];
  t.is(printed, accessTableMarkdown());
});
