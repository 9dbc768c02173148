// The fee-dispute SOP end to end: API → intake workflow → ticket workflow → sandbox order and
// finance systems → read model, against the real dev server and PostgreSQL.
import test from 'ava';
import { eq } from 'drizzle-orm';
import { ticketEvents, tickets } from '../schema';
import { loadDefaultSops } from '../sops/load';
import { startTestStack, type TestStack } from './helpers/stack';
import type { As } from './helpers/credentials';
import { FEE_DISPUTE_ACCEPTED, FEE_DISPUTE_PROPOSED, recordHistory as recordHistoryOf, decide as decideAs, waitForEvent as waitForEventOf, waitForLive as waitForLiveOf } from './helpers/flows';
import { api, confirm, getTicket, orderOf, postTicket, waitForStatus } from './helpers/tickets';

let stack: TestStack;
test.before(async () => {
  stack = await startTestStack({ policy: { confirmationTimeout: 8_000 } });
});
test.after.always(async () => {
  await stack?.close();
});

const feePolicy = loadDefaultSops().find((d) => d.type === 'fee_dispute')!.policy as Record<string, number>;
const AUTO_REFUND_LIMIT_FEN = feePolicy.autoRefundLimitFen!;
const decide = (ticketId: string, body: { agentId?: string; [field: string]: unknown }, as?: As) => decideAs(stack, ticketId, body, as);
const waitForLive = (ticketId: string, fits: (live: any) => boolean) => waitForLiveOf(stack, ticketId, fits);
const waitForEvent = (ticketId: string, fits: (event: any) => boolean) => waitForEventOf(stack, ticketId, fits);

const recordHistory = (name: string, workflowId: string) => recordHistoryOf(stack, name, workflowId);

async function openFeeTicket(scenario: Parameters<typeof orderOf>[1], text: string, extra: object = {}, fits?: Parameters<typeof orderOf>[2]) {
  const order = await orderOf(stack, scenario, fits);
  const created = await postTicket(stack, { text, orderId: order.id, userId: order.userId, ...extra });
  if (created.status !== 201) throw new Error(`POST /v1/tickets answered ${created.status}: ${JSON.stringify(created.body)}`);
  return { order, created, ticket: created.body.tickets[0] };
}

test('accepted refund: closed, exactly one refund of the overcharge, every step in the events', async (t) => {
  const { order, created, ticket } = await openFeeTicket('waiting_fee_overcharged', '等候费多收了,我明明只等了一会儿');
  t.is(created.body.tickets.length, 1);
  t.like(ticket, { category: 'fee_dispute', subtype: 'waiting_fee', skillGroup: 'fee_group', workflowId: `ticket-${ticket.id}` });

  const waiting = await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  const { freeMinutes, actualMinutes, ratePerMinute } = order.waiting;
  const charged = order.fees.filter((f) => f.code === 'waiting_fee').reduce((s, f) => s + f.amount, 0);
  const overcharge = charged - Math.max(0, actualMinutes - freeMinutes) * ratePerMinute;
  t.like(waiting.live, { status: 'awaiting_confirmation', step: 'await_confirmation', solution: { kind: 'refund', amountFen: overcharge } });
  const notice = waiting.events.find((e: { kind: string }) => e.kind === 'notified');
  t.regex(notice.data.message, /退还¥/);

  const answeredAt = Date.now();
  const answer = await confirm(stack, ticket.id, { accepted: true, comment: '好的' });
  t.is(answer.status, 202);
  const closed = await waitForStatus(stack, ticket.id, 'closed');
  t.like(closed.ticket.resolution, { code: 'resolved', solution: { kind: 'refund', amountFen: overcharge }, applied: { amountFen: overcharge } });
  // closed after the answer, and no later than now (a missing closedAt parses to NaN and fails both)
  const closedAt = Date.parse(closed.ticket.closedAt);
  t.true(closedAt >= answeredAt - 1_000 && closedAt <= Date.now(), String(closed.ticket.closedAt));
  t.like(closed.ticket, { sopType: 'fee_dispute', sopVersion: 1 });

  const refunds = await stack.finance.listRefunds({ ticketId: ticket.id });
  t.is(refunds.length, 1);
  t.like(refunds[0], { orderId: order.id, amount: overcharge, cause: 'overcharge', idempotencyKey: `money:${order.id}:overcharge:1` });

  const steps = closed.events.map((e: { step: string; kind: string }) => `${e.step}:${e.kind}`);
  t.deepEqual(steps, [...FEE_DISPUTE_PROPOSED, ...FEE_DISPUTE_ACCEPTED]);
  t.deepEqual(closed.events.map((e: { seq: number }) => e.seq), steps.map((_: string, i: number) => i));

  const again = await confirm(stack, ticket.id, { accepted: true });
  t.is(again.status, 409);
  await recordHistory('fee-dispute-refund-accepted', ticket.workflowId);
  await recordHistory('intake-fee-dispute', `intake-${created.body.requestId}`);
});

test('rejected: escalated to a fee-team review; the agent refunds, the user accepts, one refund', async (t) => {
  const { order, ticket } = await openFeeTicket('wrongful_cross_city_surcharge', 'I was charged a cross-city surcharge but never left the city');
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  t.is((await confirm(stack, ticket.id, { accepted: false, comment: 'not enough' })).status, 202);
  const escalated = await waitForStatus(stack, ticket.id, 'escalated');
  t.like(escalated.events.find((e: { kind: string }) => e.kind === 'escalated').data, { to: 'fee_group', level: 1, reason: 'solution_rejected' });
  t.true(escalated.events.some((e: { kind: string; actor: string }) => e.kind === 'signal' && e.actor === `user:${order.userId}`));
  t.deepEqual(await stack.finance.listRefunds({ ticketId: ticket.id }), []);
  await waitForLive(ticket.id, (live) => live.waitingFor?.kind === 'human_task');
  t.like((await getTicket(stack, ticket.id)).body.live.waitingFor, { kind: 'human_task', group: 'fee_group', decisions: ['refund', 'coupon', 'explain', 'reject'] });
  t.is(escalated.ticket.skillGroup, 'fee_group');
  await recordHistory('fee-dispute-rejected', ticket.workflowId);

  // without an agent's token, no decision
  t.is((await decide(ticket.id, { decision: 'refund', agentId: 'A-1' }, null)).status, 401);
  t.is((await decide(ticket.id, { decision: 'waive', agentId: 'A-1' })).status, 409);
  t.is((await decide(ticket.id, { decision: 'refund', agentId: 'A-7', note: '多退5元作为补偿', data: { amountFen: 1_234 } })).status, 202);
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  const offer = (await getTicket(stack, ticket.id)).body.events.filter((e: { kind: string }) => e.kind === 'notified').at(-1);
  t.regex(offer.data.message, /12\.34/);
  t.is((await confirm(stack, ticket.id, { accepted: true })).status, 202);
  const closed = await waitForStatus(stack, ticket.id, 'closed');
  t.like(closed.ticket.resolution, { code: 'resolved', decision: 'refund', amountFen: 1_234 });
  const refunds = await stack.finance.listRefunds({ ticketId: ticket.id });
  t.deepEqual(refunds.map((r) => r.amount), [1_234]);
  t.true(closed.events.some((e: { kind: string; actor: string }) => e.kind === 'decided' && e.actor === 'agent:A-7'));
});

test('rejected twice: escalated to the supervisors', async (t) => {
  const { ticket } = await openFeeTicket('wrongful_cross_city_surcharge', '跨城费不合理,同城订单');
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  await confirm(stack, ticket.id, { accepted: false });
  await waitForLive(ticket.id, (live) => live.waitingFor?.kind === 'human_task');
  t.is((await decide(ticket.id, { decision: 'explain', agentId: 'A-2', note: '跨城费按行政区划收取' })).status, 202);
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  await confirm(stack, ticket.id, { accepted: false, comment: '还是不认可' });
  const final = await waitForEvent(ticket.id, (e) => e.kind === 'escalated' && e.data.to === 'supervisor_group');
  t.like(final.data, { level: 2, reason: 'rejected_twice' });
  const body = (await getTicket(stack, ticket.id)).body;
  t.like(body.ticket, { status: 'escalated', skillGroup: 'supervisor_group' });
  // not a dead end: the supervisors' step waits for their decision
  const live = await waitForLive(ticket.id, (l) => l.waitingFor?.kind === 'human_task');
  t.like(live, { step: 'supervisor_review', waitingFor: { group: 'supervisor_group', decisions: ['return_to_team', 'close'] } });
});

test('no answer within the time limit: sla_breached, escalated', async (t) => {
  const { ticket } = await openFeeTicket('double_charged_toll', '过路费收了两次,请核实');
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  const escalated = await waitForStatus(stack, ticket.id, 'escalated', 20_000);
  t.like(escalated.events.find((e: { kind: string }) => e.kind === 'escalated').data, { to: 'fee_group', reason: 'confirmation_timeout' });
  t.true(escalated.events.some((e: { kind: string; step: string }) => e.kind === 'sla_breached' && e.step === 'await_confirmation'));
  t.is((await confirm(stack, ticket.id, { accepted: true })).status, 409);
  await recordHistory('fee-dispute-timeout', ticket.workflowId);
});

test.serial('a lost finance response: the retry reads the ledger and pays nothing more, still one refund', async (t) => {
  const withinLimit = (o: { total: number }) => o.total <= AUTO_REFUND_LIMIT_FEN;
  const { order, ticket } = await openFeeTicket('double_payment', '同一个订单扣了我两次钱,多收费了', {}, withinLimit);
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  await fetch(`${stack.sandbox.financeApiUrl}/_faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext: 1, mode: 'after' }) });
  await confirm(stack, ticket.id, { accepted: true });
  const closed = await waitForStatus(stack, ticket.id, 'closed');
  const refunds = await stack.finance.listRefunds({ ticketId: ticket.id });
  t.is(refunds.length, 1);
  t.is(refunds[0]!.amount, order.total);
  // the answer to the first POST was lost; the retry found the refund on the order's ledger and posted nothing
  const attempts = (await stack.finance.requestLog()).filter((e) => e.orderId === order.id);
  t.deepEqual(attempts.map((e) => [e.idempotencyKey, e.outcome, e.injectedFault]), [[`money:${order.id}:overcharge:1`, 'created', 'after']]);
  t.like(closed.ticket.resolution, { applied: { amountFen: order.total, paidNowFen: 0, orderPaidFen: order.total } });
});

test('an overcharge above the automatic refund limit escalates for manual review', async (t) => {
  const aboveLimit = (o: { total: number }) => o.total > AUTO_REFUND_LIMIT_FEN;
  const { ticket } = await openFeeTicket('double_payment', 'charged twice for the same order', {}, aboveLimit);
  const escalated = await waitForStatus(stack, ticket.id, 'escalated');
  t.like(escalated.events.find((e: { kind: string }) => e.kind === 'escalated').data, { to: 'fee_group', reason: 'manual_review' });
  // the user is told once, by the manual-review notice, before the fee team takes it
  t.deepEqual(escalated.events.filter((e: { kind: string }) => e.kind === 'notified').map((e: { step: string; data: { to: string } }) => `${e.step}:${e.data.to}`), ['notify_manual_review:user']);
  t.deepEqual(await stack.finance.listRefunds({ ticketId: ticket.id }), []);
});

test('a correct bill with a late driver: compensation coupon issued once', async (t) => {
  const { ticket } = await openFeeTicket('late_arrival', 'The base fare and distance fee look too high to me, please check', { language: 'en' });
  const waiting = await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  t.like(waiting.live.solution, { kind: 'coupon', amountFen: feePolicy.lateCompensationCouponFen });
  await confirm(stack, ticket.id, { accepted: true });
  const closed = await waitForStatus(stack, ticket.id, 'closed');
  t.like(closed.ticket.resolution, { code: 'resolved', solution: { kind: 'coupon' } });
  const coupons = await stack.finance.listCoupons({ ticketId: ticket.id });
  t.is(coupons.length, 1);
  // the coupon code is personal data: finance holds it, the read model never does (not even for tickets:read_pii)
  t.regex(coupons[0]!.code, /^CPN-[A-Z2-9]{6}$/);
  t.false(JSON.stringify(closed).includes(coupons[0]!.code));
  t.false(JSON.stringify((await getTicket(stack, ticket.id, await stack.auth.apiKey(['tickets:read']))).body).includes(coupons[0]!.code));
});

test('an unknown order is handed to the supervisors, who can act on it', async (t) => {
  const created = await postTicket(stack, { text: '跨城费不应该收', orderId: 'ORD-999999' });
  const id = created.body.tickets[0].id;
  const escalated = await waitForStatus(stack, id, 'escalated');
  t.like(escalated.ticket, { skillGroup: 'supervisor_group' });
  t.like(escalated.events.find((e: { kind: string }) => e.kind === 'escalated').data, { to: 'supervisor_group', reason: 'order_not_found' });
  await waitForLive(id, (live) => live.waitingFor?.kind === 'human_task' && live.waitingFor.group === 'supervisor_group');
  t.is((await decide(id, { decision: 'close', agentId: 'SUP-1', note: '查无此单' })).status, 202);
  const closed = await waitForStatus(stack, id, 'closed');
  t.like(closed.ticket.resolution, { code: 'closed_by_supervisor', decidedBy: 'SUP-1', note: '查无此单' });
});

test('the seed example opens two tickets under two SOPs, linked to one request', async (t) => {
  const created = await postTicket(stack, { text: '司机未按约定时间到达且态度恶劣' });
  t.is(created.status, 201);
  const groups = created.body.tickets.map((x: { skillGroup: string; sopType: string }) => `${x.skillGroup}:${x.sopType}`);
  t.deepEqual(groups, ['order_exception_group:late_arrival', 'qa_group:attitude']);
  const row = await getTicket(stack, created.body.tickets[0].id);
  t.is(row.body.ticket.requestId, created.body.requestId);
});

test('the same Idempotency-Key returns the same answer and starts nothing new', async (t) => {
  const order = await orderOf(stack, 'correct_bill');
  const body = { text: '费用不对,多收了20元', orderId: order.id, userId: order.userId };
  const first = await postTicket(stack, body, 'idem-key-1');
  const second = await postTicket(stack, body, 'idem-key-1');
  t.is(first.status, 201);
  t.is(second.status, 201);
  t.is(second.headers['idempotent-replayed'], 'true');
  t.deepEqual(second.body, first.body);
  t.true(first.body.requestId.endsWith('~idem-key-1'));
  const rows = await stack.db.select().from(tickets).where(eq(tickets.requestId, first.body.requestId));
  t.is(rows.length, first.body.tickets.length);

  const conflicting = await postTicket(stack, { ...body, text: '完全不同的内容' }, 'idem-key-1');
  t.is(conflicting.status, 422);
  t.is(conflicting.body.error, 'idempotency_key_reused');

  // keys are per caller: another service's same key is its own request, and it cannot read the first one
  const otherService = await stack.auth.apiKey(['tickets:create'], 'another service');
  const other = await postTicket(stack, { ...body, text: '完全不同的内容' }, 'idem-key-1', otherService);
  t.is(other.status, 201);
  t.is(other.headers['idempotent-replayed'], undefined);
  t.not(other.body.requestId, first.body.requestId);
  t.notDeepEqual(other.body.tickets.map((x: { id: string }) => x.id), first.body.tickets.map((x: { id: string }) => x.id));
  t.is((await api(stack, 'GET', `/v1/requests/${first.body.requestId}`, { as: otherService })).status, 404);
  t.is((await api(stack, 'GET', `/v1/requests/${first.body.requestId}`)).status, 200);
});

test('engineers find tickets in Temporal by search attributes', async (t) => {
  const { order, ticket } = await openFeeTicket('waiting_fee_overcharged', '等待费收多了', { region: 'shenzhen' });
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  const query = `TicketType = "fee_dispute" AND OrderId = "${order.id}" AND TicketStatus = "awaiting_confirmation" AND Region = "shenzhen" AND SkillGroup = "fee_group" AND Priority >= 0`;
  let found: string[] = [];
  for (let i = 0; i < 50 && !found.includes(ticket.workflowId); i++) {
    found = [];
    for await (const w of stack.client.workflow.list({ query })) found.push(w.workflowId);
    await new Promise((r) => setTimeout(r, 200));
  }
  t.true(found.includes(ticket.workflowId));
  const description = await stack.client.workflow.getHandle(ticket.workflowId).describe();
  t.regex((await description.staticSummary()) ?? '', /fee_dispute\/waiting_fee/);
  // the read model holds the same ticket's events up to the wait, in order
  const events = await stack.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticket.id)).orderBy(ticketEvents.seq);
  t.deepEqual(events.map((e) => `${e.step}:${e.kind}`), FEE_DISPUTE_PROPOSED);
});
