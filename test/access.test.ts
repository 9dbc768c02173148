// Credentials end to end: API keys (hashed, shown once, revocable), staff accounts and sessions
// (the decision names the logged-in person), signed single-use user tokens bound to one ticket,
// purpose and confirmation wait, personal data masked without tickets:read_pii, and no route without a rule.
import test from 'ava';
import Fastify from 'fastify';
import { eq } from 'drizzle-orm';
import { authPlugin } from '../api/auth';
import { hashSecret } from '../api/secrets';
import { mintUserToken } from '../domain/user-token';
import { apiKeys, staff, usedUserTokens } from '../schema';
import { decide, waitForEvent, waitForLive, waitingForDecision } from './helpers/flows';
import { startTestStack, type TestStack } from './helpers/stack';
import { api, confirm, getTicket, orderOf, postTicket, waitForStatus } from './helpers/tickets';

let stack: TestStack;
test.before(async () => {
  stack = await startTestStack({ policy: { confirmationTimeout: 30_000, reopenWindow: 60_000 } });
});
test.after.always(async () => {
  await stack?.close();
});

test('API keys: admins create them, the secret is shown once and stored hashed, revoked keys are refused', async (t) => {
  const agent = await stack.auth.staff('AK-agent', 'agent');
  t.is((await api(stack, 'POST', '/v1/api-keys', { payload: { name: 'crm', scopes: ['tickets:read'] }, as: agent })).status, 403);
  t.is((await api(stack, 'POST', '/v1/api-keys', { payload: { name: 'crm', scopes: ['tickets:fly'] }, as: stack.auth.admin })).status, 400);

  const created = await api(stack, 'POST', '/v1/api-keys', { payload: { name: 'crm', scopes: ['tickets:read'] }, as: stack.auth.admin });
  t.is(created.status, 201);
  const { id, secret } = created.body;
  t.regex(secret, /^tfk_[A-Za-z0-9_-]{43}$/);
  t.is(created.body.createdBy, 'bootstrap-admin');
  const [row] = await stack.db.select().from(apiKeys).where(eq(apiKeys.id, id));
  t.is(row!.secretHash, hashSecret(secret));
  t.false(JSON.stringify(row).includes(secret));
  const listed = await api(stack, 'GET', '/v1/api-keys', { as: stack.auth.admin });
  t.deepEqual(listed.body.find((k: { id: string }) => k.id === id), { id, name: 'crm', scopes: ['tickets:read'], createdBy: 'bootstrap-admin', createdAt: created.body.createdAt, revokedAt: null });
  t.false(JSON.stringify(listed.body).includes(secret));

  t.deepEqual((await api(stack, 'GET', '/v1/me', { as: secret })).body, { kind: 'service', id, name: 'crm', scopes: ['tickets:read'] });
  t.is((await api(stack, 'DELETE', `/v1/api-keys/${id}`, { as: stack.auth.admin })).status, 200);
  const refused = await api(stack, 'GET', '/v1/me', { as: secret });
  t.is(refused.status, 401);
  t.regex(refused.body.message, /revoked/);
  t.is((await api(stack, 'DELETE', '/v1/api-keys/key_nope', { as: stack.auth.admin })).status, 404);
});

test('staff: login, the decision names the logged-in person, logout and disabling end the session', async (t) => {
  const person = { id: 'A-42', username: 'li.na', password: 'correct horse battery staple', role: 'agent' };
  t.is((await api(stack, 'POST', '/v1/staff', { payload: person, as: stack.auth.admin })).status, 201);
  t.is((await api(stack, 'POST', '/v1/staff', { payload: person, as: stack.auth.admin })).status, 409);
  t.is((await api(stack, 'POST', '/v1/staff', { payload: { ...person, id: 'A-43', username: 'x', password: 'short' }, as: stack.auth.admin })).status, 400);
  const [row] = await stack.db.select().from(staff).where(eq(staff.id, 'A-42'));
  t.regex(row!.passwordHash, /^\$argon2id\$/);

  const wrong = await api(stack, 'POST', '/v1/auth/login', { payload: { username: 'li.na', password: 'wrong password' }, as: null });
  t.is(wrong.status, 401);
  t.is((await api(stack, 'POST', '/v1/auth/login', { payload: { username: 'nobody', password: 'wrong password' }, as: null })).status, 401);
  const login = await api(stack, 'POST', '/v1/auth/login', { payload: { username: 'li.na', password: person.password }, as: null });
  t.is(login.status, 200);
  const session = login.body.token as string;
  t.regex(session, /^tfs_/);
  t.deepEqual((await api(stack, 'GET', '/v1/me', { as: session })).body, { kind: 'staff', id: 'A-42', role: 'agent' });

  // a ticket waiting for a human decision: the credential, not the body, names who decided
  const ticket = (await postTicket(stack, { text: '你好,在吗?', userId: 'U-staff' })).body.tickets[0];
  await waitForLive(stack, ticket.id, waitingForDecision('triage'));
  const impostor = await decide(stack, ticket.id, { decision: 'general', agentId: 'A-7' }, session);
  t.is(impostor.status, 403);
  t.regex(impostor.body.message, /not you/);
  t.is((await decide(stack, ticket.id, { decision: 'general' }, session)).status, 202);
  const decided = (await getTicket(stack, ticket.id)).body.events.find((e: { kind: string }) => e.kind === 'decided');
  t.is(decided.actor, 'agent:A-42');
  t.is(decided.data.agentId, 'A-42');

  t.is((await api(stack, 'POST', '/v1/auth/logout', { as: session })).status, 204);
  t.is((await api(stack, 'GET', '/v1/me', { as: session })).status, 401);

  const again = (await api(stack, 'POST', '/v1/auth/login', { payload: { username: 'li.na', password: person.password }, as: null })).body.token;
  t.is((await api(stack, 'PATCH', '/v1/staff/A-42', { payload: { role: 'editor' }, as: stack.auth.admin })).body.role, 'editor');
  t.is((await api(stack, 'POST', `/v1/tickets/${ticket.id}/decision`, { payload: { decision: 'general' }, as: again })).status, 403);
  t.is((await api(stack, 'PATCH', '/v1/staff/A-42', { payload: { disabled: true }, as: stack.auth.admin })).status, 200);
  t.is((await api(stack, 'GET', '/v1/me', { as: again })).status, 401);
  t.is((await api(stack, 'POST', '/v1/auth/login', { payload: { username: 'li.na', password: person.password }, as: null })).status, 401);
});

test('user tokens: one ticket, one purpose, the current wait, expiring by its deadline, used once', async (t) => {
  const order = await orderOf(stack, 'waiting_fee_overcharged', (o) => o.id !== 'ORD-100007');
  const ticket = (await postTicket(stack, { text: '等候费多收了', orderId: order.id, userId: order.userId })).body.tickets[0];
  const waiting = await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  const wait = waiting.events.filter((e: { kind: string; data: { signal?: string } }) => e.kind === 'entered' && e.data.signal === 'confirmation').at(-1);

  const issue = (purpose: string) => api(stack, 'POST', `/v1/tickets/${ticket.id}/user-tokens`, { payload: { purpose }, as: stack.auth.service });
  const issued = await issue('confirm');
  t.is(issued.status, 201);
  t.like(issued.body, { ticketId: ticket.id, userId: order.userId, purpose: 'confirm', waitSeq: wait.seq });
  t.true(Date.parse(issued.body.expiresAt) <= Date.parse(wait.data.deadline));
  const token = issued.body.token as string;
  const reject = (await issue('reject')).body.token as string;
  const secret = stack.config.credentials.userTokenSecret!;

  const forged = await mintUserToken('another secret that is long enough!!', { ticketId: ticket.id, userId: order.userId, purpose: 'confirm', waitSeq: wait.seq, expiresAt: new Date(Date.now() + 60_000) });
  const forgedAnswer = await confirm(stack, ticket.id, { accepted: true }, forged.token);
  t.is(forgedAnswer.status, 401);
  t.regex(forgedAnswer.body.message, /signature/);
  const expired = await mintUserToken(secret, { ticketId: ticket.id, userId: order.userId, purpose: 'confirm', waitSeq: wait.seq, expiresAt: new Date(Date.now() - 1_000) });
  const expiredAnswer = await confirm(stack, ticket.id, { accepted: true }, expired.token);
  t.is(expiredAnswer.status, 401);
  t.regex(expiredAnswer.body.message, /expired/);
  const tampered = `${token.slice(0, -4)}AAAA`;
  t.is((await confirm(stack, ticket.id, { accepted: true }, tampered)).status, 401);
  const wrongPurpose = await confirm(stack, ticket.id, { accepted: true }, reject);
  t.is(wrongPurpose.status, 403);
  t.regex(wrongPurpose.body.message, /may reject, not confirm/);
  const earlierWait = await mintUserToken(secret, { ticketId: ticket.id, userId: order.userId, purpose: 'confirm', waitSeq: wait.seq - 1, expiresAt: new Date(Date.now() + 60_000) });
  t.is((await confirm(stack, ticket.id, { accepted: true }, earlierWait.token)).status, 409);
  t.is((await api(stack, 'POST', '/v1/tickets', { payload: { text: '再开一张', userId: order.userId, channel: 'app' }, as: token })).status, 403);
  t.is((await getTicket(stack, ticket.id)).body.ticket.status, 'awaiting_confirmation', 'none of the refused answers changed the ticket');
  t.is((await stack.db.select().from(usedUserTokens)).length, 0);

  t.is((await getTicket(stack, ticket.id, token)).status, 200, 'the token reads its own ticket');
  t.is((await confirm(stack, ticket.id, { accepted: true }, token)).status, 202);
  const reused = await confirm(stack, ticket.id, { accepted: true }, token);
  t.is(reused.status, 409);
  t.is(reused.body.error, 'token_used');
  const closed = await waitForStatus(stack, ticket.id, 'closed');
  t.is(closed.events.filter((e: { kind: string }) => e.kind === 'signal').length, 1);
  t.is((await stack.finance.listRefunds({ ticketId: ticket.id })).length, 1);
  t.is((await issue('confirm')).status, 409, 'no confirm token once the wait is over');

  // the same reopen link clicked twice at once: one reopening, one 409
  const reopenToken = (await issue('reopen')).body.token as string;
  const reopenWith = () => api(stack, 'POST', `/v1/tickets/${ticket.id}/reopen`, { payload: { reason: '钱没到账' }, as: reopenToken });
  const both = await Promise.all([reopenWith(), reopenWith()]);
  t.deepEqual(both.map((r) => r.status).sort(), [202, 409]);
  t.is(both.find((r) => r.status === 409)!.body.error, 'token_used');
  await waitForEvent(stack, ticket.id, (e) => e.kind === 'reopened');
  t.is((await getTicket(stack, ticket.id)).body.events.filter((e: { kind: string }) => e.kind === 'reopened').length, 1);
  t.is((await stack.db.select().from(usedUserTokens)).length, 2);
});

test('personal data is masked for callers without tickets:read_pii, old rows included', async (t) => {
  const order = await orderOf(stack, 'waiting_fee_overcharged', (o) => o.id !== 'ORD-100007' && Boolean(o.userPhone));
  const ticket = (await postTicket(stack, { text: `等候费多收了,回电 ${order.userPhone}`, orderId: order.id, userId: order.userId })).body.tickets[0];
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  const full = JSON.stringify((await getTicket(stack, ticket.id)).body);
  t.true(full.includes(order.userPhone!), 'an all-scopes key sees the phone number');
  const reader = await stack.auth.apiKey(['tickets:read']);
  const masked = (await getTicket(stack, ticket.id, reader)).body;
  const text = JSON.stringify(masked);
  t.false(text.includes(order.userPhone!));
  t.true(text.includes(`***${order.userPhone!.slice(-4)}`));
  t.is(masked.ticket.id, ticket.id);
  t.is(masked.ticket.status, 'awaiting_confirmation');
  t.true(JSON.stringify((await getTicket(stack, ticket.id, await stack.auth.staff('PII-agent', 'agent'))).body).includes(order.userPhone!));
  t.false(JSON.stringify((await getTicket(stack, ticket.id, { token: await stack.auth.apiKey(['tickets:act_for_user']), onBehalfOf: order.userId })).body).includes(order.userPhone!));
});

test("request ids: a caller whose id is a prefix of another's cannot read the other's request", async (t) => {
  const longer = await stack.auth.staff('Q-1', 'agent');
  const shorter = await stack.auth.staff('Q', 'agent');
  const created = await postTicket(stack, { text: '你好,在吗?', userId: 'U-prefix' }, 'k', longer);
  t.is(created.status, 201);
  t.is(created.body.requestId, 'Q-1~k');
  t.is((await api(stack, 'GET', `/v1/requests/${created.body.requestId}`, { as: longer })).status, 200);
  t.is((await api(stack, 'GET', `/v1/requests/${created.body.requestId}`, { as: shorter })).status, 404);
  // with "-" as the separator these two would be the same request
  const own = await postTicket(stack, { text: '你好,在吗?', userId: 'U-prefix' }, '1-k', shorter);
  t.is(own.status, 201);
  t.is(own.body.requestId, 'Q~1-k');
  t.is(own.headers['idempotent-replayed'], undefined, 'a request of its own, not a replay of Q-1~k');
});

test('a route without an access rule cannot be registered', async (t) => {
  const app = Fastify();
  await app.register(authPlugin, { db: stack.db, config: stack.config } as never);
  await app.after();
  t.throws(() => app.get('/v1/forgotten', async () => 'open to all'), { message: /GET \/v1\/forgotten has no access rule/ });
  t.notThrows(() => app.get('/healthz', async () => 'ok'), 'a route in the table registers');
  await app.close();
});
