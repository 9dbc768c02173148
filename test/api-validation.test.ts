// Bad input gets a clear 400/404/413/422 and creates nothing; an unreachable Temporal gets 503.
import test from 'ava';
import { Client, Connection } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { buildApp } from '../api/app';
import { tickets } from '../schema';
import { authHeaders } from './helpers/credentials';
import { startTestStack, type TestStack } from './helpers/stack';
import { api, confirm, getTicket } from './helpers/tickets';

let stack: TestStack;
test.before(async () => {
  stack = await startTestStack();
});
test.after.always(async () => {
  await stack?.close();
});

const USER = 'U-validation';
const post = (payload: string | object, headers: Record<string, string> = {}) =>
  stack.app.inject({ method: 'POST', url: '/v1/tickets', headers: { 'content-type': 'application/json', ...authHeaders(stack.auth.service), ...headers }, payload: payload as string });
const valid = { text: '等候费多收了', userId: USER, channel: 'app' };

const badBodies: Array<[string, object, string]> = [
  ['missing text', { userId: USER, channel: 'app' }, 'text'],
  ['empty text', { ...valid, text: '' }, 'text'],
  ['blank text', { ...valid, text: '  \n\t ' }, 'text'],
  ['text over 10,000 characters', { ...valid, text: '费'.repeat(10_001) }, 'text'],
  ['unknown channel', { ...valid, channel: 'fax' }, 'channel'],
  ['text of the wrong type', { ...valid, text: 42 }, 'text'],
  ['userId of the wrong type', { ...valid, userId: 7 }, 'userId'],
  ['missing userId', { text: 'x', channel: 'app' }, 'userId'],
  ['unknown user tier', { ...valid, userTier: 'gold' }, 'userTier'],
  ['unknown field', { ...valid, priority: 100 }, 'priority'],
];

for (const [name, body, field] of badBodies) {
  test(`400 for ${name}, naming the field`, async (t) => {
    const response = await post(body);
    t.is(response.statusCode, 400);
    const answer = response.json();
    t.is(answer.error, 'validation_failed');
    t.true(answer.fields.some((f: { field: string; reason: string }) => f.field === field && f.reason.length > 0), JSON.stringify(answer));
  });
}

test('400 for malformed JSON', async (t) => {
  const response = await post('{"text": "多收费", ');
  t.is(response.statusCode, 400);
  t.is(response.json().fields[0].field, 'body');
});

test('400 for a malformed Idempotency-Key', async (t) => {
  const response = await post(valid, { 'idempotency-key': 'has spaces and 汉字' });
  t.is(response.statusCode, 400);
  t.is(response.json().fields[0].field, 'idempotency-key');
});

test('413 for a body over the size limit', async (t) => {
  const response = await post({ ...valid, text: 'x'.repeat(stack.config.api.bodyLimitBytes + 10) });
  t.is(response.statusCode, 413);
  t.is(response.json().error, 'body_too_large');
});

test('none of the rejected requests created a ticket', async (t) => {
  const rows = await stack.db.select().from(tickets).where(eq(tickets.userId, USER));
  t.is(rows.length, 0);
});

test('404 for an unknown ticket, its confirmation and an unknown request', async (t) => {
  t.is((await getTicket(stack, 'no-such-ticket')).status, 404);
  t.is((await confirm(stack, 'no-such-ticket', { accepted: true })).status, 404);
  t.is((await api(stack, 'GET', '/v1/requests/no-such-request')).status, 404);
});

test('400 for a confirmation without a boolean', async (t) => {
  const response = await confirm(stack, 'any', { accepted: 'yes' });
  t.is(response.status, 400);
  t.is(response.body.fields[0].field, 'accepted');
});

test('healthz reports Temporal and the database', async (t) => {
  const response = await stack.app.inject({ method: 'GET', url: '/healthz' });
  t.is(response.statusCode, 200);
  t.deepEqual(response.json(), { status: 'ok', temporal: 'ok', database: 'ok' });
});

test('OpenAPI is served at /docs', async (t) => {
  const response = await stack.app.inject({ method: 'GET', url: '/docs/json' });
  t.is(response.statusCode, 200);
  t.truthy(response.json().paths['/v1/tickets'].post);
});

test('with Temporal unreachable: 503, nothing created, healthz degraded', async (t) => {
  const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '1s' });
  const app = await buildApp({ temporal: { client: new Client({ connection }), connection }, db: stack.db, ping: stack.database.ping, config: stack.config });
  try {
    const response = await app.inject({ method: 'POST', url: '/v1/tickets', headers: authHeaders(stack.auth.service), payload: { ...valid, userId: 'U-no-temporal' } });
    t.is(response.statusCode, 503);
    t.is(response.json().error, 'temporal_unavailable');
    t.is((await stack.db.select().from(tickets).where(eq(tickets.userId, 'U-no-temporal'))).length, 0);
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    t.is(health.statusCode, 503);
    t.is(health.json().database, 'ok');
    t.regex(health.json().temporal, /^error/);
  } finally {
    await app.close();
  }
});
