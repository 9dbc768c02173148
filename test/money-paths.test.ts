// The money invariant on each path that used to pay twice or pay the wrong person: for every order, all its
// tickets together move at most what the policy allows for the cause. Each test ends with the finance ledger.
import test from 'ava';
import { createFinanceActivities } from '../activities/finance';
import { driverLateMinutes } from '../domain/fee-dispute';
import { allowanceFen, lateCompensationFen, paymentKey } from '../domain/money-policy';
import { loadDefaultSops } from '../sops/load';
import { decide, waitForEvent, waitForLive, waitingForDecision, waitingForSignal } from './helpers/flows';
import { ledgerOf, orderDealer, settle, strangerTo, armFinanceFaults } from './helpers/money';
import { startTestStack, type TestStack } from './helpers/stack';
import { confirm, getTicket, postTicket, reopen, waitForStatus } from './helpers/tickets';

let stack: TestStack;
test.before(async () => {
  stack = await startTestStack({ policy: { confirmationTimeout: 30_000, reopenWindow: 30_000 } });
});
test.after.always(async () => {
  await stack?.close();
});

const freshOrder = orderDealer(() => stack);
const policyOf = (type: string) => loadDefaultSops().find((d) => d.type === type)!.policy as Record<string, number>;
const latePolicy = policyOf('late_arrival');
const feePolicy = policyOf('fee_dispute');
const LATE_TEXT = '司机迟到了很久,耽误了我的事';
const lateEnough = (o: { times: { driverArrivedAt: string | null; promisedPickupAt: string } }) => lateCompensationFen(driverLateMinutes(o as never), latePolicy) > 0;

async function openTickets(body: { text: string; orderId: string; userId: string }) {
  const created = await postTicket(stack, body);
  if (created.status !== 201) throw new Error(`POST /v1/tickets answered ${created.status}: ${JSON.stringify(created.body)}`);
  return created.body.tickets as Array<{ id: string; workflowId: string; subtype: string }>;
}

test('owner mismatch, fee dispute: no automatic money, the fee team reviews; an agent refund is refused too', async (t) => {
  const order = await freshOrder('waiting_fee_overcharged');
  const stranger = await strangerTo(stack, order);
  const [ticket] = await openTickets({ text: '等候费多收了,我只等了一会儿', orderId: order.id, userId: stranger });
  const live = await waitForLive(stack, ticket!.id, waitingForDecision('fee_group'));
  t.deepEqual(live.solution, { kind: 'manual_review', amountFen: 0, reason: 'order_owner_mismatch' });
  const { events } = (await getTicket(stack, ticket!.id)).body;
  t.like(events.find((e: { kind: string }) => e.kind === 'escalated').data, { to: 'fee_group', reason: 'manual_review' });
  // the caller learns nothing about someone else's bill
  const notice = events.find((e: { kind: string }) => e.kind === 'notified').data.message as string;
  t.regex(notice, /无法与您的账号匹配/);
  t.notRegex(notice, /¥/);

  // last line of defence: a person's refund on this ticket is refused by the paying activity, back to people
  t.is((await decide(stack, ticket!.id, { decision: 'refund', agentId: 'A-1', data: { amountFen: 1_000 } })).status, 202);
  await waitForLive(stack, ticket!.id, waitingForSignal('confirmation'));
  t.is((await confirm(stack, ticket!.id, { accepted: true })).status, 202);
  const failed = await waitForEvent(stack, ticket!.id, (e) => e.kind === 'failed' && e.step === 'issue_refund');
  t.regex(failed.data.error, /not the owner of order/);
  // a payment that failed for good goes to the supervisors (no dead end), still without money
  await waitForLive(stack, ticket!.id, waitingForDecision('supervisor_group'));
  t.like(await ledgerOf(stack, order), { refundsFen: 0, refundCount: 0, couponCount: 0 });
  t.deepEqual(await stack.finance.listCoupons({ userId: stranger }), []);
});

test('owner mismatch, late arrival (the reported bug): two tickets of a stranger go straight to the order-exception team, nothing to confirm, no coupon; the owner still gets one', async (t) => {
  const order = await freshOrder('late_arrival', lateEnough);
  const stranger = await strangerTo(stack, order);
  const [first] = await openTickets({ text: LATE_TEXT, orderId: order.id, userId: stranger });
  const [second] = await openTickets({ text: LATE_TEXT, orderId: order.id, userId: stranger });
  for (const ticket of [first!, second!]) {
    // straight to the order-exception team's review (the manual_review branch): no proposal, nothing to confirm
    const live = await settle(stack, ticket.id);
    t.like(live, { step: 'exception_review', waitingFor: { kind: 'human_task', group: 'order_exception_group', decisions: ['coupon', 'explain'] } });
    t.deepEqual(live.solution, { kind: 'manual_review', amountFen: 0, reason: 'order_owner_mismatch' });
    const { events } = (await getTicket(stack, ticket.id)).body as { events: Array<{ step: string; kind: string; data: Record<string, any> }> };
    t.deepEqual(events.map((e) => `${e.step}:${e.kind}`), [
      'intake:created',
      'fetch_order:entered',
      'fetch_order:completed',
      'check_order:decided',
      'compute_compensation:entered',
      'compute_compensation:completed',
      'check_solution:decided',
      'notify_manual_review:notified',
      'escalate_manual_review:escalated',
      'exception_review:entered',
    ]);
    t.deepEqual(events.filter((e) => e.kind === 'escalated').map((e) => [e.step, e.data.to, e.data.reason]), [['escalate_manual_review', 'order_exception_group', 'manual_review']]);
    // the caller is told an agent checks it, and nothing about the order or an amount
    t.deepEqual(events.filter((e) => e.kind === 'notified').map((e) => e.data.message), ['您的反馈需要人工核实,订单异常组会尽快处理并联系您。']);
    // there is no wait to answer: the stranger's "yes" is refused and moves nothing
    t.is((await confirm(stack, ticket.id, { accepted: true })).status, 409);
  }
  t.like(await ledgerOf(stack, order), { couponCount: 0, refundCount: 0 });
  t.deepEqual(await stack.finance.listCoupons({ userId: stranger }), []);

  const [owners] = await openTickets({ text: LATE_TEXT, orderId: order.id, userId: order.userId });
  await waitForStatus(stack, owners!.id, 'awaiting_confirmation');
  await confirm(stack, owners!.id, { accepted: true });
  await waitForStatus(stack, owners!.id, 'closed');
  const ledger = await ledgerOf(stack, order);
  t.like(ledger, { couponCount: 1, couponsToOthers: 0, couponsFen: { late_arrival: lateCompensationFen(driverLateMinutes(order), latePolicy) } });
});

test('two late-arrival requests on one order: one compensation; a later third ticket is told it was paid', async (t) => {
  const order = await freshOrder('late_arrival', lateEnough);
  const band = lateCompensationFen(driverLateMinutes(order), latePolicy);
  const [a] = await openTickets({ text: LATE_TEXT, orderId: order.id, userId: order.userId });
  const [b] = await openTickets({ text: '司机晚到了一个多小时', orderId: order.id, userId: order.userId });
  for (const ticket of [a!, b!]) t.like((await waitForStatus(stack, ticket.id, 'awaiting_confirmation')).live.solution, { kind: 'coupon', amountFen: band });
  await confirm(stack, a!.id, { accepted: true });
  t.like((await waitForStatus(stack, a!.id, 'closed')).ticket.resolution.applied, { amountFen: band, paidNowFen: band });
  await confirm(stack, b!.id, { accepted: true });
  t.like((await waitForStatus(stack, b!.id, 'closed')).ticket.resolution.applied, { amountFen: 0, paidNowFen: 0, orderPaidFen: band });

  const [c] = await openTickets({ text: LATE_TEXT, orderId: order.id, userId: order.userId });
  t.like((await waitForStatus(stack, c!.id, 'awaiting_confirmation')).live.solution, { kind: 'explanation' });
  const ledger = await ledgerOf(stack, order);
  t.like(ledger, { couponCount: 1, couponsFen: { late_arrival: band }, refundCount: 0 });
  const [coupon] = await stack.finance.listCoupons({ orderId: order.id });
  t.is(coupon!.idempotencyKey, paymentKey(order.id, 'late_arrival', 1));
});

test('one message, two fee subtypes: two tickets, both confirmed at once, the overcharge refunded once', async (t) => {
  const overcharge = (o: Parameters<typeof allowanceFen>[1]) => allowanceFen('overcharge', o, {}, 'policy');
  const order = await freshOrder('waiting_fee_overcharged', (o) => overcharge(o) > 0 && overcharge(o) <= feePolicy.autoRefundLimitFen!);
  const tickets = await openTickets({ text: '等候费多收了,另外过路费也重复收了两次', orderId: order.id, userId: order.userId });
  t.deepEqual(tickets.map((x) => x.subtype), ['waiting_fee', 'toll']);
  for (const ticket of tickets) t.like((await waitForStatus(stack, ticket.id, 'awaiting_confirmation')).live.solution, { kind: 'refund', amountFen: overcharge(order) });
  const answers = await Promise.all(tickets.map((x) => confirm(stack, x.id, { accepted: true })));
  t.deepEqual(answers.map((a) => a.status), [202, 202]);
  const closed = await Promise.all(tickets.map((x) => waitForStatus(stack, x.id, 'closed')));
  t.deepEqual(closed.map((c) => c.ticket.resolution.applied.paidNowFen).sort((x: number, y: number) => x - y), [0, overcharge(order)]);
  t.like(await ledgerOf(stack, order), { refundsFen: overcharge(order), refundCount: 1 });
});

test('reopen after a paid refund: the second handling explains, an agent tops it up to the total decided', async (t) => {
  const order = await freshOrder('wrongful_cross_city_surcharge');
  const surcharge = allowanceFen('overcharge', order, {}, 'policy');
  const [ticket] = await openTickets({ text: '同城订单为什么收了跨城费?', orderId: order.id, userId: order.userId });
  await waitForStatus(stack, ticket!.id, 'awaiting_confirmation');
  await confirm(stack, ticket!.id, { accepted: true });
  await waitForStatus(stack, ticket!.id, 'closed');

  t.is((await reopen(stack, ticket!.id, { reason: '还是觉得不对' })).status, 202);
  await waitForLive(stack, ticket!.id, (live) => live.waitingFor?.kind === 'signal' && live.solution?.kind === 'explanation');
  await confirm(stack, ticket!.id, { accepted: false });
  await waitForLive(stack, ticket!.id, waitingForDecision('fee_group'));
  // the agent's amount is what the order should have in refunds altogether: only the rest is paid
  await decide(stack, ticket!.id, { decision: 'refund', agentId: 'A-3', data: { amountFen: surcharge + 500 } });
  await waitForLive(stack, ticket!.id, waitingForSignal('confirmation'));
  await confirm(stack, ticket!.id, { accepted: true });
  const closed = await waitForStatus(stack, ticket!.id, 'closed');
  t.like(closed.ticket.resolution.refund, { paidNowFen: 500, orderPaidFen: surcharge + 500 });
  const refunds = await stack.finance.listRefunds({ orderId: order.id });
  t.deepEqual(refunds.map((r) => [r.amount, r.idempotencyKey]), [[surcharge, paymentKey(order.id, 'overcharge', 1)], [500, paymentKey(order.id, 'overcharge', 2)]]);
  t.like(await ledgerOf(stack, order), { refundsFen: surcharge + 500 });
});

// serial: the armed fault must hit this ticket's payment, not another test's
test.serial('a refund whose answer was lost, then a person deciding the same again: paid once', async (t) => {
  const order = await freshOrder('double_payment', (o) => o.total <= feePolicy.autoRefundLimitFen!);
  const [ticket] = await openTickets({ text: '同一个订单扣了我两次钱,多收费了', orderId: order.id, userId: order.userId });
  await waitForStatus(stack, ticket!.id, 'awaiting_confirmation');
  await armFinanceFaults(stack, 1, 'after');
  await confirm(stack, ticket!.id, { accepted: true });
  await waitForStatus(stack, ticket!.id, 'closed');
  t.like(await ledgerOf(stack, order), { refundsFen: order.total, refundCount: 1 });

  // the user says it is not solved; the agent, not seeing the lost answer, refunds the double payment again
  await reopen(stack, ticket!.id, { reason: '没收到退款' });
  await waitForLive(stack, ticket!.id, waitingForSignal('confirmation'));
  await confirm(stack, ticket!.id, { accepted: false });
  await waitForLive(stack, ticket!.id, waitingForDecision('fee_group'));
  await decide(stack, ticket!.id, { decision: 'refund', agentId: 'A-4', data: { amountFen: order.total } });
  await waitForLive(stack, ticket!.id, waitingForSignal('confirmation'));
  await confirm(stack, ticket!.id, { accepted: true });
  const closed = await waitForStatus(stack, ticket!.id, 'closed');
  t.like(closed.ticket.resolution.refund, { paidNowFen: 0, amountFen: order.total });
  t.like(await ledgerOf(stack, order), { refundsFen: order.total, refundCount: 1 });
});

test('a payment that landed after its step gave up, then a person decides: nothing more is paid', async (t) => {
  const order = await freshOrder('wrongful_cross_city_surcharge');
  const surcharge = allowanceFen('overcharge', order, {}, 'policy');
  const [ticket] = await openTickets({ text: '跨城费不合理,同城订单', orderId: order.id, userId: order.userId });
  await waitForStatus(stack, ticket!.id, 'awaiting_confirmation');
  await confirm(stack, ticket!.id, { accepted: false });
  await waitForLive(stack, ticket!.id, waitingForDecision('fee_group'));
  // the call an earlier step made, arriving at finance late (its step had timed out): the first payment's key
  await stack.finance.issueRefund({ orderId: order.id, amount: surcharge, reason: 'late arrival of an earlier call', ticketId: ticket!.id, cause: 'overcharge' }, paymentKey(order.id, 'overcharge', 1));
  await decide(stack, ticket!.id, { decision: 'refund', agentId: 'A-5', data: { amountFen: surcharge } });
  await waitForLive(stack, ticket!.id, waitingForSignal('confirmation'));
  await confirm(stack, ticket!.id, { accepted: true });
  const closed = await waitForStatus(stack, ticket!.id, 'closed');
  t.like(closed.ticket.resolution.refund, { paidNowFen: 0, amountFen: surcharge });
  t.like(await ledgerOf(stack, order), { refundsFen: surcharge, refundCount: 1 });
});

test('concurrent confirmations of two tickets on one order: one coupon', async (t) => {
  const order = await freshOrder('late_arrival', lateEnough);
  const band = lateCompensationFen(driverLateMinutes(order), latePolicy);
  const [a] = await openTickets({ text: LATE_TEXT, orderId: order.id, userId: order.userId });
  const [b] = await openTickets({ text: LATE_TEXT, orderId: order.id, userId: order.userId });
  await Promise.all([a!, b!].map((x) => waitForStatus(stack, x.id, 'awaiting_confirmation')));
  const answers = await Promise.all([a!, b!].map((x) => confirm(stack, x.id, { accepted: true })));
  t.deepEqual(answers.map((x) => x.status), [202, 202]);
  await Promise.all([a!, b!].map((x) => waitForStatus(stack, x.id, 'closed')));
  t.like(await ledgerOf(stack, order), { couponCount: 1, couponsFen: { late_arrival: band } });
});

test('eight payers racing on one order collide on the n-th key: finance creates one coupon', async (t) => {
  const order = await freshOrder('late_arrival', lateEnough);
  const band = lateCompensationFen(driverLateMinutes(order), latePolicy);
  const [a] = await openTickets({ text: LATE_TEXT, orderId: order.id, userId: order.userId });
  const [b] = await openTickets({ text: LATE_TEXT, orderId: order.id, userId: order.userId });
  const lives = await Promise.all([a!, b!].map((x) => waitForStatus(stack, x.id, 'awaiting_confirmation')));
  // the worst interleaving, forced: every payer reads the empty ledger before anyone posts
  const PAYERS = 8;
  let reads = 0;
  let release!: () => void;
  const allRead = new Promise<void>((resolve) => (release = resolve));
  const finance = {
    ...stack.finance,
    async listCoupons(f: Parameters<typeof stack.finance.listCoupons>[0]) {
      const list = await stack.finance.listCoupons(f);
      if (++reads === PAYERS) release();
      if (reads <= PAYERS) await allRead;
      return list;
    },
  };
  // the paying activity itself, as eight concurrent attempts of two tickets (no workflow serialises them)
  const { applySolution, paymentStatus } = createFinanceActivities({ db: stack.db, orders: stack.orders, finance, sopPolicyOverrides: stack.config.sopPolicyOverrides });
  const results = await Promise.all(
    Array.from({ length: PAYERS }, (_, i) => {
      const ticket = [a!, b!][i % 2]!;
      const meta = { ticketId: ticket.id, stepId: 'apply_solution', visit: 1, idempotencyKey: `${ticket.id}:apply_solution:1` };
      return applySolution({ solution: lives[i % 2]!.live.solution, orderId: order.id, userId: order.userId }, meta);
    }),
  );
  t.is(results.reduce((s, r) => s + (r.paidNowFen as number), 0), band);
  t.like(await ledgerOf(stack, order), { couponCount: 1, couponsFen: { late_arrival: band } });
  // all eight posted under the first payment's key: one created it, the winner's other attempts were replayed,
  // the other ticket's were refused as a reused key and found the coupon on the ledger when they read it again
  const posts = (await stack.finance.requestLog()).filter((e) => e.orderId === order.id);
  t.deepEqual([...new Set(posts.map((e) => e.idempotencyKey))], [paymentKey(order.id, 'late_arrival', 1)]);
  const outcomes = posts.map((e) => e.error ?? e.outcome).sort();
  t.deepEqual(outcomes, ['created', ...Array(PAYERS / 2).fill('idempotency_key_reused'), ...Array(PAYERS / 2 - 1).fill('replayed')].sort());

  // what an SOP asks before escalating a failed payment step: the order already holds the solution's coupon
  const before = await paymentStatus({ orderId: order.id, solution: lives[1]!.live.solution }, { ticketId: b!.id, stepId: 'check_paid', visit: 1, idempotencyKey: 'unused' });
  t.like(before, { cause: 'late_arrival', orderPaidFen: band, covered: true });
});
