// The live view of a ticket in a human step tells its SLA clock truthfully: while the ticket waits on the user,
// `waitingFor` has no deadline but `paused: true` and the time left; after the answer, the deadline moved later by
// exactly the paused time (the same one the `info_received` event records). The queue shows the frozen time left.
import test from 'ava';
import { agent, queue, ticketsInQueue } from './helpers/dispatch';
import { decide, waitForEvent } from './helpers/flows';
import { startTestStack, type TestStack } from './helpers/stack';
import { api, getTicket, waitForStatus } from './helpers/tickets';

let stack: TestStack;
test.before(async () => {
  stack = await startTestStack();
});
test.after.always(async () => {
  await stack?.close();
});

const SLA_MS = 3_600_000;

test('waitingFor shows a paused clock with the time left, then the deadline moved by the pause', async (t) => {
  const ann = await agent(stack, 'CLK-ann', ['general_group']);
  const [id] = await ticketsInQueue(stack, 'general_group', 1, { sla: SLA_MS });
  const entered = await waitForEvent(stack, id!, (e) => e.step === 'handle' && e.kind === 'entered');
  const firstDeadline = Date.parse(entered.data.deadline);

  const before = (await getTicket(stack, id!)).body.live.waitingFor;
  t.like(before, { kind: 'human_task', group: 'general_group', paused: false });
  // the workflow's own timer starts just after the `entered` event is written
  const deadline = Date.parse(before.until);
  t.true(deadline >= firstDeadline && deadline < firstDeadline + 60_000, `${before.until} vs ${entered.data.deadline}`);

  t.is((await api(stack, 'POST', '/v1/me/next', { as: ann })).status, 200);
  const asked = await api(stack, 'POST', `/v1/tickets/${id}/info-request`, { as: ann, payload: { question: '请提供订单号' } });
  t.is(asked.status, 200, JSON.stringify(asked.body));
  const requested = await waitForEvent(stack, id!, (e) => e.kind === 'info_requested');

  const paused = (await getTicket(stack, id!)).body.live.waitingFor;
  t.like(paused, { kind: 'human_task', until: null, paused: true });
  t.is(paused.remainingMs, requested.data.remainingMs, 'the time left when the clock stopped');
  t.true(paused.remainingMs > 0 && paused.remainingMs <= SLA_MS);
  const listed = (await queue(stack, 'general_group')).find((i) => i.ticketId === id)!;
  t.like(listed, { paused: true });
  t.is(listed.remainingMs, paused.remainingMs, 'the queue shows the same frozen time left');

  t.is((await api(stack, 'POST', `/v1/tickets/${id}/info`, { payload: { answer: 'ORD-100001' } })).status, 200);
  const received = await waitForEvent(stack, id!, (e) => e.kind === 'info_received');
  const resumed = (await getTicket(stack, id!)).body.live.waitingFor;
  t.like(resumed, { kind: 'human_task', paused: false });
  t.true(received.data.pausedMs > 0);
  t.is(Date.parse(resumed.until), deadline + received.data.pausedMs, 'the deadline moved later by exactly the pause');
  t.is(resumed.until, received.data.deadline);

  t.is((await decide(stack, id!, { decision: 'done', agentId: 'CLK-ann' }, ann)).status, 202);
  await waitForStatus(stack, id!, 'closed');
});
