// Before a failed payment goes to the supervisors, the fee-dispute and late-arrival SOPs ask finance what the
// order already holds (`check_paid`, action paymentStatus): a payment that went through although its step gave
// up closes the ticket; nothing paid hands it to the supervisors. Through the real ticketWorkflow, with
// finance made unreachable by the sandbox's fault injection until the step's SLA (actionSla, 2 s here) passed.
// Serial: the armed faults hit whichever ticket calls finance next.
import test from 'ava';
import { driverLateMinutes } from '../domain/fee-dispute';
import { lateCompensationFen } from '../domain/money-policy';
import { loadDefaultSops } from '../sops/load';
import { waitForEvent, waitForLive, waitingForDecision } from './helpers/flows';
import { armFinanceFaults, clearFinanceFaults, ledgerOf, orderDealer } from './helpers/money';
import { startTestStack, type TestStack } from './helpers/stack';
import { confirm, getTicket, postTicket, waitForStatus } from './helpers/tickets';

const ACTION_SLA = 2_000;
let stack: TestStack;
test.before(async () => {
  stack = await startTestStack({ policy: { confirmationTimeout: 20_000, actionSla: ACTION_SLA } });
});
test.afterEach.always(async () => {
  await clearFinanceFaults(stack);
});
test.after.always(async () => {
  await stack?.close();
});

const freshOrder = orderDealer(() => stack);
const latePolicy = loadDefaultSops().find((d) => d.type === 'late_arrival')!.policy as Record<string, number>;
const feePolicy = loadDefaultSops().find((d) => d.type === 'fee_dispute')!.policy as Record<string, number>;
const UNREACHABLE = { failNext: 1_000, mode: 'before', scope: 'all' } as const;

type Event = { step: string; kind: string; data: Record<string, any> };
/** "step:kind" of the events of these steps, in order */
const path = (events: Event[], steps: string[]) => events.filter((e) => steps.includes(e.step)).map((e) => `${e.step}:${e.kind}`);
const escalations = (events: Event[]) => events.filter((e) => e.kind === 'escalated').map((e) => `${e.data.to}:${e.data.reason}`);
const PAYMENT_STEPS = ['apply_solution', 'check_paid', 'paid_or_escalate', 'escalate_apply_failed', 'close_resolved'];

async function openAwaiting(text: string, order: { id: string; userId: string }) {
  const created = await postTicket(stack, { text, orderId: order.id, userId: order.userId });
  if (created.status !== 201) throw new Error(`POST /v1/tickets answered ${created.status}: ${JSON.stringify(created.body)}`);
  const ticket = created.body.tickets[0] as { id: string };
  const { live } = await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  return { ticket, solution: live.solution as { kind: string; amountFen: number } };
}

/** The finance POSTs of one order: [outcome, status, injected fault]. */
async function postsOf(orderId: string) {
  return (await stack.finance.requestLog()).filter((e) => e.orderId === orderId).map((e) => [e.outcome, e.status, e.injectedFault ?? null]);
}

test.serial('fee dispute: the refund went through, its answer was lost and finance stayed unreachable past the sla; check_paid finds it and closes', async (t) => {
  const order = await freshOrder('double_charged_toll', (o) => o.total <= feePolicy.autoRefundLimitFen!);
  const { ticket, solution } = await openAwaiting('过路费收了两次,请核实', order);
  t.is(solution.kind, 'refund');
  // the refund is made and its answer lost; from then on nothing at finance answers, reads included
  await armFinanceFaults(stack, 1, 'after', { then: UNREACHABLE });
  t.is((await confirm(stack, ticket.id, { accepted: true })).status, 202);
  const failed = await waitForEvent(stack, ticket.id, (e) => e.kind === 'failed' && e.step === 'apply_solution');
  t.like(failed.data, { timedOut: true, slaMs: ACTION_SLA });
  t.regex(failed.data.error, /503 service_unavailable: injected fault \(read\)/);
  // the step gave up although the money moved (finance's own request log; its ledger does not answer yet)
  t.deepEqual(await postsOf(order.id), [['created', 503, 'after']]);
  await clearFinanceFaults(stack); // finance is back

  const closed = await waitForStatus(stack, ticket.id, 'closed');
  t.deepEqual(path(closed.events, PAYMENT_STEPS), [
    'apply_solution:entered',
    'apply_solution:failed',
    'check_paid:entered',
    'check_paid:completed',
    'paid_or_escalate:decided',
    'close_resolved:entered',
    'close_resolved:archived',
  ]);
  t.like(closed.ticket.resolution, { code: 'resolved', paid: { cause: 'overcharge', covered: true, orderPaidFen: solution.amountFen, ticketPaidFen: solution.amountFen } });
  t.is(closed.ticket.resolution.applied ?? null, null, 'the payment step itself never answered');
  t.deepEqual(escalations(closed.events), [], 'nobody is asked to decide on money already paid');
  // one payment, made by the first attempt; no attempt after it reached finance's payment route
  t.deepEqual(await postsOf(order.id), [['created', 503, 'after']]);
  t.like(await ledgerOf(stack, order), { refundsFen: solution.amountFen, refundCount: 1, couponCount: 0 });
});

test.serial('late arrival: the coupon was refused and finance stayed unreachable past the sla; check_paid finds nothing and the supervisors take it', async (t) => {
  const order = await freshOrder('late_arrival', (o) => lateCompensationFen(driverLateMinutes(o), latePolicy) > 0);
  const { ticket, solution } = await openAwaiting('司机迟到了很久,耽误了我的事', order);
  t.like(solution, { kind: 'coupon', amountFen: lateCompensationFen(driverLateMinutes(order), latePolicy) });
  // the coupon is refused before anything is done; then nothing at finance answers
  await armFinanceFaults(stack, 1, 'before', { then: UNREACHABLE });
  t.is((await confirm(stack, ticket.id, { accepted: true })).status, 202);
  const failed = await waitForEvent(stack, ticket.id, (e) => e.kind === 'failed' && e.step === 'apply_solution');
  t.like(failed.data, { timedOut: true, slaMs: ACTION_SLA });
  await clearFinanceFaults(stack);

  const live = await waitForLive(stack, ticket.id, waitingForDecision('supervisor_group'));
  t.like(live, { step: 'supervisor_review', waitingFor: { decisions: ['return_to_team', 'close'] } });
  const { events } = (await getTicket(stack, ticket.id)).body;
  t.deepEqual(path(events, PAYMENT_STEPS), [
    'apply_solution:entered',
    'apply_solution:failed',
    'check_paid:entered',
    'check_paid:completed',
    'paid_or_escalate:decided',
    'escalate_apply_failed:escalated',
  ]);
  t.deepEqual(events.find((e: Event) => e.step === 'check_paid' && e.kind === 'completed').data.result, { cause: 'late_arrival', orderPaidFen: 0, ticketPaidFen: 0, covered: false });
  t.deepEqual(escalations(events), ['supervisor_group:payment_failed']);
  t.deepEqual(await postsOf(order.id), [['rejected', 503, 'before']]);
  t.like(await ledgerOf(stack, order), { couponCount: 0, refundCount: 0 });
});

test.serial('finance unreachable past check_paid\'s sla too: the supervisors take it, nothing paid', async (t) => {
  const order = await freshOrder('late_arrival', (o) => lateCompensationFen(driverLateMinutes(o), latePolicy) > 0);
  const { ticket } = await openAwaiting('司机迟到了一个多小时', order);
  await armFinanceFaults(stack, UNREACHABLE.failNext, UNREACHABLE.mode, { scope: UNREACHABLE.scope });
  t.is((await confirm(stack, ticket.id, { accepted: true })).status, 202);
  const failed = await waitForEvent(stack, ticket.id, (e) => e.kind === 'failed' && e.step === 'check_paid');
  t.like(failed.data, { action: 'paymentStatus', timedOut: true, slaMs: ACTION_SLA });
  await clearFinanceFaults(stack);

  const live = await waitForLive(stack, ticket.id, waitingForDecision('supervisor_group'));
  t.is(live.step, 'supervisor_review');
  const { events } = (await getTicket(stack, ticket.id)).body;
  t.deepEqual(path(events, PAYMENT_STEPS), ['apply_solution:entered', 'apply_solution:failed', 'check_paid:entered', 'check_paid:failed', 'escalate_apply_failed:escalated']);
  t.deepEqual(escalations(events), ['supervisor_group:payment_failed']);
  t.deepEqual(await postsOf(order.id), [], 'finance never received the payment');
  t.like(await ledgerOf(stack, order), { couponCount: 0, refundCount: 0 });
});
