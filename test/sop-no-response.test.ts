// A user who never answers: the proposal's confirmation window passes (→ the team reviews), then the team's
// offer goes unanswered too (→ closed `no_response`, nothing paid). Through the real ticketWorkflow with the
// confirmation window set to 300 ms.
import test from 'ava';
import { decide, waitForLive, waitingForDecision } from './helpers/flows';
import { ledgerOf, orderDealer } from './helpers/money';
import { startTestStack, type TestStack } from './helpers/stack';
import { confirm, postTicket, waitForStatus } from './helpers/tickets';

const WINDOW = 300;
let stack: TestStack;
test.before(async () => {
  stack = await startTestStack({ policy: { confirmationTimeout: WINDOW } });
});
test.after.always(async () => {
  await stack?.close();
});

const freshOrder = orderDealer(() => stack);
type Event = { step: string; kind: string; data: Record<string, any> };
const waits = (events: Event[]) => events.filter((e) => e.kind === 'sla_breached').map((e) => `${e.step}:${e.data.timeoutMs}`);
const escalations = (events: Event[]) => events.filter((e) => e.kind === 'escalated').map((e) => `${e.data.to}:${e.data.reason}`);

async function open(text: string, order: { id: string; userId: string }) {
  const created = await postTicket(stack, { text, orderId: order.id, userId: order.userId });
  if (created.status !== 201) throw new Error(`POST /v1/tickets answered ${created.status}: ${JSON.stringify(created.body)}`);
  return created.body.tickets[0] as { id: string; sopType: string };
}

test('fee dispute: no answer to the proposal → fee team; its refund offer unanswered too → closed no_response, nothing paid', async (t) => {
  const order = await freshOrder('wrongful_cross_city_surcharge');
  const ticket = await open('同城订单为什么收了跨城费?', order);
  t.is(ticket.sopType, 'fee_dispute');
  await waitForLive(stack, ticket.id, waitingForDecision('fee_group'));
  t.is((await decide(stack, ticket.id, { decision: 'refund', agentId: 'F-nr', data: { amountFen: 100 }, note: '核实多收' })).status, 202);

  const closed = await waitForStatus(stack, ticket.id, 'closed');
  t.deepEqual(closed.ticket.resolution, { code: 'no_response', decision: 'refund' });
  t.is(closed.events.at(-1).step, 'close_no_response');
  t.deepEqual(waits(closed.events), [`await_confirmation:${WINDOW}`, `await_review_confirmation:${WINDOW}`]);
  t.deepEqual(escalations(closed.events), ['fee_group:confirmation_timeout']);
  t.deepEqual(closed.events.filter((e: Event) => e.kind === 'signal'), [], 'the user never answered');
  // the refund was offered, never accepted: finance saw nothing
  t.like(await ledgerOf(stack, order), { refundCount: 0, couponCount: 0 });
  t.deepEqual((await stack.finance.requestLog()).filter((e) => e.orderId === order.id), []);
  // an answer after the window finds nothing to answer
  t.is((await confirm(stack, ticket.id, { accepted: true })).status, 409);
});

test('late arrival: no answer to the proposal → order-exception team; its coupon offer unanswered too → closed no_response, no coupon', async (t) => {
  const order = await freshOrder('late_arrival');
  const ticket = await open('司机迟到了很久,耽误了我的事', order);
  t.is(ticket.sopType, 'late_arrival');
  await waitForLive(stack, ticket.id, waitingForDecision('order_exception_group'));
  t.is((await decide(stack, ticket.id, { decision: 'coupon', agentId: 'E-nr', data: { amountFen: 1_500 } })).status, 202);

  const closed = await waitForStatus(stack, ticket.id, 'closed');
  t.deepEqual(closed.ticket.resolution, { code: 'no_response', decision: 'coupon' });
  t.deepEqual(waits(closed.events), [`await_confirmation:${WINDOW}`, `await_review_confirmation:${WINDOW}`]);
  t.deepEqual(escalations(closed.events), ['order_exception_group:confirmation_timeout']);
  t.like(await ledgerOf(stack, order), { refundCount: 0, couponCount: 0 });
  t.deepEqual(await stack.finance.listCoupons({ userId: order.userId, cause: 'late_arrival' }), []);
});
