// The default SOPs' other paths, through the real ticketWorkflow with millisecond policy timers:
// agent offers, payment failures handed to the supervisors, second rejections, re-reviews, approvals
// above the limit and an overdue tech fix. (The main paths are in sop-flows and fee-dispute-flow.)
// Serial: orders are picked per test, and one test injects finance faults into the shared sandbox.
import test from 'ava';
import type { Order } from '../integrations/types';
import { loadDefaultSops } from '../sops/load';
import { decide, sendSignal, waitForEvent, waitForLive, waitingForDecision, waitingForSignal } from './helpers/flows';
import { startTestStack, type TestStack } from './helpers/stack';
import { confirm, getTicket, orderOf, postTicket, waitForStatus } from './helpers/tickets';

let stack: TestStack;
test.before(async () => {
  stack = await startTestStack({ policy: { confirmationTimeout: 20_000, evidenceTimeout: 300, techFixTimeout: 1_500, actionSla: 2_000, claimLimitFen: 500 } });
});
test.after.always(async () => {
  await stack?.close();
});

const policyOf = (type: string) => loadDefaultSops().find((d) => d.type === type)!.policy as Record<string, number>;
const used = new Set<string>();
/** An order of the scenario no other test of this file used. */
async function freshOrder(scenario: Parameters<typeof orderOf>[1], fits: (o: Order) => boolean = () => true) {
  const order = await orderOf(stack, scenario, (o) => !used.has(o.id) && fits(o));
  used.add(order.id);
  return order;
}
async function open(text: string, order: Order, extra: object = {}) {
  const created = await postTicket(stack, { text, orderId: order.id, userId: order.userId, ...extra });
  if (created.status !== 201) throw new Error(`POST /v1/tickets answered ${created.status}: ${JSON.stringify(created.body)}`);
  return created.body.tickets[0] as { id: string; workflowId: string; sopType: string };
}
const escalations = (events: Array<{ kind: string; data: { to: string; reason: string } }>) => events.filter((e) => e.kind === 'escalated').map((e) => `${e.data.to}:${e.data.reason}`);

test.serial('fee dispute: an agent coupon in English, confirmed, issued with the policy validity', async (t) => {
  const order = await freshOrder('wrongful_cross_city_surcharge');
  const ticket = await open('The cross-city surcharge is wrong, this was a same-city trip', order, { language: 'en' });
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  await confirm(stack, ticket.id, { accepted: false });
  await waitForLive(stack, ticket.id, waitingForDecision('fee_group'));
  const max = policyOf('fee_dispute').maxCouponFen!;
  t.is((await decide(stack, ticket.id, { decision: 'coupon', agentId: 'F-1', data: { amountFen: max + 1 } })).status, 409);
  t.is((await decide(stack, ticket.id, { decision: 'coupon', agentId: 'F-1', data: { amountFen: 1_500 } })).status, 202);
  const offered = await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  t.regex(offered.events.filter((e: { kind: string }) => e.kind === 'notified').at(-1).data.message, /offers a ¥15\.00 coupon valid 30 days/);
  await confirm(stack, ticket.id, { accepted: true });
  await waitForStatus(stack, ticket.id, 'closed');
  const coupons = await stack.finance.listCoupons({ ticketId: ticket.id });
  t.deepEqual(coupons.map((c) => c.amount), [1_500]);
});

test.serial('fee dispute: a payment that fails past its sla goes to the supervisors, who send it back to the fee team', async (t) => {
  const order = await freshOrder('double_charged_toll', (o) => o.total <= policyOf('fee_dispute').autoRefundLimitFen!);
  const ticket = await open('过路费收了两次,请核实', order);
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  const faults = (failNext: number) => fetch(`${stack.sandbox.financeApiUrl}/_faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext, mode: 'before' }) });
  await faults(1_000);
  try {
    await confirm(stack, ticket.id, { accepted: true });
    const live = await waitForLive(stack, ticket.id, waitingForDecision('supervisor_group'));
    t.like(live, { step: 'supervisor_review', waitingFor: { decisions: ['return_to_team', 'close'] } });
  } finally {
    await faults(0);
  }
  const failed = await waitForEvent(stack, ticket.id, (e) => e.kind === 'failed' && e.step === 'apply_solution');
  t.like(failed.data, { timedOut: true, slaMs: 2_000 });
  t.deepEqual(escalations((await getTicket(stack, ticket.id)).body.events), ['supervisor_group:payment_failed']);
  t.is((await decide(stack, ticket.id, { decision: 'return_to_team', agentId: 'SUP-1' })).status, 202);
  await waitForLive(stack, ticket.id, waitingForDecision('fee_group'));
  t.is((await decide(stack, ticket.id, { decision: 'explain', agentId: 'F-2', note: '已人工退款' })).status, 202);
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  await confirm(stack, ticket.id, { accepted: true });
  const closed = await waitForStatus(stack, ticket.id, 'closed');
  t.like(closed.ticket.resolution, { code: 'resolved', decision: 'explain' });
  t.deepEqual(await stack.finance.listRefunds({ ticketId: ticket.id }), []);
});

test.serial('late arrival: rejected → order-exception team coupon → rejected again → supervisors close it', async (t) => {
  const order = await freshOrder('late_arrival');
  const ticket = await open('司机迟到了很久,耽误了我的事', order);
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  await confirm(stack, ticket.id, { accepted: false });
  await waitForLive(stack, ticket.id, waitingForDecision('order_exception_group'));
  const max = policyOf('late_arrival').lateBand120Fen!;
  t.is((await decide(stack, ticket.id, { decision: 'coupon', agentId: 'E-1', data: { amountFen: max + 1 } })).status, 409);
  t.is((await decide(stack, ticket.id, { decision: 'coupon', agentId: 'E-1', data: { amountFen: 3_000 } })).status, 202);
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  await confirm(stack, ticket.id, { accepted: false });
  await waitForLive(stack, ticket.id, waitingForDecision('supervisor_group'));
  t.is((await decide(stack, ticket.id, { decision: 'close', agentId: 'SUP-1', note: '已电话致歉' })).status, 202);
  const closed = await waitForStatus(stack, ticket.id, 'closed');
  t.like(closed.ticket.resolution, { code: 'closed_by_supervisor', decidedBy: 'SUP-1', note: '已电话致歉' });
  t.deepEqual(escalations(closed.events), ['order_exception_group:solution_rejected', 'supervisor_group:rejected_twice']);
  t.regex(closed.events.filter((e: { kind: string }) => e.kind === 'notified').at(-1).data.message, /已电话致歉/);
  t.deepEqual(await stack.finance.listCoupons({ ticketId: ticket.id }), [], 'no money moved: the coupon was offered, never accepted');
});

test.serial('service complaint: at fault twice, the apology coupon is given once', async (t) => {
  const order = await freshOrder('correct_bill');
  const ticket = await open('司机态度恶劣,还骂人', order);
  await waitForLive(stack, ticket.id, waitingForDecision('qa_group'));
  t.is((await decide(stack, ticket.id, { decision: 'warning', agentId: 'QA-1', data: { amountFen: 1 } })).status, 409, 'the QA decisions take no data');
  t.is((await decide(stack, ticket.id, { decision: 'warning', agentId: 'QA-1', note: '已警告司机' })).status, 202);
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  await confirm(stack, ticket.id, { accepted: false });
  await waitForLive(stack, ticket.id, waitingForDecision('qa_group'));
  t.is((await decide(stack, ticket.id, { decision: 'penalty', agentId: 'QA-2', note: '已处罚司机' })).status, 202);
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  await confirm(stack, ticket.id, { accepted: true });
  await waitForStatus(stack, ticket.id, 'closed');
  t.deepEqual((await stack.finance.listCoupons({ ticketId: ticket.id })).map((c) => c.amount), [policyOf('attitude').apologyCouponFen]);
});

test.serial('cargo damage: a payout above the claim limit needs a second person; a rejected approval goes back to the claims team', async (t) => {
  const limit = 500; // this file's claimLimitFen: a payout above it stays within what finance can refund on the order
  const order = await freshOrder('correct_bill', (o) => o.status === 'completed' && o.total >= 2_000);
  const ticket = await open('冰箱运到的时候门被摔坏了,要求赔偿', order);
  t.is(ticket.sopType, 'cargo_damage');
  // the evidence wait times out (300 ms here) and the evidence is collected anyway
  await waitForLive(stack, ticket.id, waitingForDecision('claims_group'));
  t.is((await decide(stack, ticket.id, { decision: 'liable', agentId: 'C-1' })).status, 409, 'liable needs an amount');
  t.is((await decide(stack, ticket.id, { decision: 'liable', agentId: 'C-1', data: { amountFen: limit + 100 } })).status, 202);
  await waitForLive(stack, ticket.id, (l) => l.step === 'claim_approval' && waitingForDecision('supervisor_group')(l));
  t.is((await decide(stack, ticket.id, { decision: 'reject', agentId: 'SUP-1', note: '金额过高' })).status, 202);
  await waitForLive(stack, ticket.id, (l) => l.step === 'claims_review');
  t.is((await decide(stack, ticket.id, { decision: 'liable', agentId: 'SUP-1', data: { amountFen: limit + 50 } })).status, 202);
  await waitForLive(stack, ticket.id, (l) => l.step === 'claim_approval');
  const self = await decide(stack, ticket.id, { decision: 'approve', agentId: 'SUP-1' });
  t.is(self.status, 409);
  t.regex(self.body.message, /a second person must/);
  t.is((await decide(stack, ticket.id, { decision: 'approve', agentId: 'SUP-2' })).status, 202);
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  await confirm(stack, ticket.id, { accepted: true });
  const closed = await waitForStatus(stack, ticket.id, 'closed');
  t.like(closed.ticket.resolution, { code: 'resolved', decision: 'liable', amountFen: limit + 50 });
  t.deepEqual((await stack.finance.listRefunds({ ticketId: ticket.id })).map((r) => r.amount), [limit + 50]);
  t.deepEqual(escalations(closed.events), ['supervisor_group:claim_above_limit', 'supervisor_group:claim_above_limit']);
});

test.serial('app technical: an overdue fix is escalated within the tech team, then to the supervisors, who send it back', async (t) => {
  const created = await postTicket(stack, { text: 'APP一直闪退,打不开,无法下单', userId: 'U-tech' });
  const ticket = created.body.tickets[0];
  t.is(ticket.sopType, 'app_technical');
  await waitForEvent(stack, ticket.id, (e) => e.kind === 'escalated' && e.data.reason === 'tech_fix_timeout' && e.data.to === 'tech_team');
  const supervisors = await waitForLive(stack, ticket.id, waitingForDecision('supervisor_group'));
  t.is(supervisors.step, 'supervisor_review');
  t.is((await decide(stack, ticket.id, { decision: 'return_to_team', agentId: 'SUP-1' })).status, 202);
  await waitForLive(stack, ticket.id, waitingForSignal('tech_fixed'));
  t.is((await sendSignal(stack, ticket.id, 'tech_fixed', { note: '已修复 5.2.1' })).status, 202);
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  await confirm(stack, ticket.id, { accepted: true });
  const closed = await waitForStatus(stack, ticket.id, 'closed');
  t.deepEqual(escalations(closed.events), ['tech_team:tech_fix_timeout', 'supervisor_group:tech_fix_timeout', 'tech_team:returned_by_supervisor']);
  t.like(closed.ticket.resolution, { code: 'resolved', fix: '已修复 5.2.1' });
});
