// PostgreSQL goes away while a ticket waits for the user: reads answer 503 with Retry-After, the
// confirmation is taken through Temporal (which does not need the read model), and once the
// database is back the read model catches up with everything that happened meanwhile.
import { randomUUID } from 'node:crypto';
import test from 'ava';
import { startTestStack, type TestStack } from './helpers/stack';
import { api, confirm, getTicket, orderOf, postTicket, waitForStatus } from './helpers/tickets';
import { decide, FEE_DISPUTE_ACCEPTED } from './helpers/flows';
import { isDatabaseUnavailable } from '../api/errors';
import { readModelGuard } from '../api/read-model';

let stack: TestStack;

test.before(async () => {
  stack = await startTestStack({ databaseProxy: true, policy: { confirmationTimeout: 120_000 } });
});
test.after.always(async () => {
  await stack?.close();
});

test('a confirmation sent while PostgreSQL is down is taken, and the read model catches up when it returns', async (t) => {
  const order = await orderOf(stack, 'wrongful_cross_city_surcharge');
  const created = await postTicket(stack, { text: '同城订单为什么收了跨城费?', orderId: order.id, userId: order.userId });
  t.is(created.status, 201);
  const ticketId = created.body.tickets[0].id;
  const before = await waitForStatus(stack, ticketId, 'awaiting_confirmation');
  // seen before the outage: the agent's session, the service acting for the ticket's user (and so the ticket's owner)
  const agent = await stack.auth.staff('A-1');
  t.is((await api(stack, 'GET', '/v1/me', { as: agent })).status, 200);
  const forUser = { token: stack.auth.service, onBehalfOf: order.userId };
  t.is((await getTicket(stack, ticketId, forUser)).status, 200);
  const unseenKey = await stack.auth.apiKey(['tickets:read'], 'never used before the outage');

  stack.databaseProxy!.cut();
  try {
    // reads need the read model: a clear 503 the client can retry, never a 500
    const read = await getTicket(stack, ticketId);
    t.is(read.status, 503);
    t.is(read.body.error, 'database_unavailable');
    t.is(read.headers['retry-after'], '5');
    // an agent's action on a ticket that waits for the user is refused by the workflow itself (409), not by the database
    const wrongState = await decide(stack, ticketId, { decision: 'approve' }, agent);
    t.is(wrongState.status, 409);
    // a credential not seen in the last minute, or a ticket whose owner cannot be checked: 503, never a guess
    const unseen = await getTicket(stack, ticketId, unseenKey);
    t.like(unseen, { status: 503, body: { error: 'database_unavailable' } });
    const unknown = await confirm(stack, randomUUID(), { accepted: true }, forUser);
    t.is(unknown.status, 503);
    t.is(unknown.headers['retry-after'], '5');

    const answer = await confirm(stack, ticketId, { accepted: true }, forUser);
    t.is(answer.status, 202);
    t.is(answer.body.accepted, true);
  } finally {
    stack.databaseProxy!.restore();
  }

  // the workflow's read-model writes were retried: the ticket closes with every event, none lost or doubled
  const closed = await waitForStatus(stack, ticketId, 'closed', 60_000);
  t.like(closed.ticket.resolution, { code: 'resolved', solution: { kind: 'refund' } });
  const seqs = closed.events.map((e: { seq: number }) => e.seq);
  t.deepEqual(seqs, seqs.map((_: unknown, i: number) => i));
  // what happened before the outage is unchanged; what happened during it arrived, in order
  t.deepEqual(closed.events.slice(0, before.events.length), before.events);
  t.deepEqual(closed.events.slice(before.events.length).map((e: { step: string; kind: string }) => `${e.step}:${e.kind}`), FEE_DISPUTE_ACCEPTED);
  t.like(closed.events.find((e: { kind: string }) => e.kind === 'signal'), { actor: `user:${order.userId}`, data: { signal: 'confirmation', accepted: true } });
  const refunds = await stack.finance.listRefunds({ ticketId });
  t.is(refunds.length, 1);
});

test('a hung or unreachable read model is skipped quickly; a bad query is still an error', async (t) => {
  const optionalRead = readModelGuard({ timeoutMs: 50, pauseMs: 60_000 });
  const started = Date.now();
  t.deepEqual(await optionalRead(() => new Promise(() => {})), { available: false });
  t.true(Date.now() - started < 5_000); // the guard gave up on a read that never ends (bound loose for a loaded machine)
  // during the pause the database is not asked again
  let asked = false;
  t.deepEqual(await optionalRead(async () => ((asked = true), 1)), { available: false });
  t.false(asked);
  const fresh = readModelGuard();
  t.deepEqual(await fresh(async () => 42), { available: true, value: 42 });
  await t.throwsAsync(fresh(() => Promise.reject(Object.assign(new Error('syntax error'), { code: '42601' }))), { message: 'syntax error' });
  // drizzle wraps the driver's error: the connection code is found in the cause
  t.true(isDatabaseUnavailable(Object.assign(new Error('Failed query'), { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) })));
  t.true(isDatabaseUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })));
  t.false(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' })));
});
