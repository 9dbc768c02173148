// Every default SOP end to end against the real dev server, with short time limits.
import test from 'ava';
import { loadDefaultSops } from '../sops/load';
import { decide, recordHistory, sendSignal, waitForEvent, waitForLive, waitForSms, waitingForDecision, waitingForSignal } from './helpers/flows';
import { startTestStack, type TestStack } from './helpers/stack';
import { confirm, getTicket, orderOf, postTicket, waitForStatus } from './helpers/tickets';

let stack: TestStack;
test.before(async () => {
  stack = await startTestStack({ policy: { confirmationTimeout: 20_000, evidenceTimeout: 20_000 } });
});
test.after.always(async () => {
  await stack?.close();
});

const policyOf = (type: string) => loadDefaultSops().find((d) => d.type === type)!.policy as Record<string, number>;
const kinds = (events: Array<{ step: string; kind: string }>) => events.map((e) => `${e.step}:${e.kind}`);

async function open(text: string, extra: object = {}) {
  const created = await postTicket(stack, { text, ...extra });
  if (created.status !== 201) throw new Error(`POST /v1/tickets answered ${created.status}: ${JSON.stringify(created.body)}`);
  return created.body.tickets as Array<{ id: string; sopType: string; sopVersion: number; skillGroup: string }>;
}

test('late arrival: coupon by delay band, confirmed, issued once', async (t) => {
  const order = await orderOf(stack, 'late_arrival');
  const [ticket] = await open('司机迟到了很久,耽误了我的事', { orderId: order.id, userId: order.userId });
  t.is(ticket!.sopType, 'late_arrival');
  const waiting = await waitForStatus(stack, ticket!.id, 'awaiting_confirmation');
  const late = Math.round((Date.parse(order.times.driverArrivedAt!) - Date.parse(order.times.promisedPickupAt)) / 60_000);
  const bands = policyOf('late_arrival');
  const expected = late >= 120 ? bands.lateBand120Fen : late >= 60 ? bands.lateBand60Fen : bands.lateBand30Fen;
  t.like(waiting.live.solution, { kind: 'coupon', amountFen: expected });
  await confirm(stack, ticket!.id, { accepted: true });
  await waitForStatus(stack, ticket!.id, 'closed');
  const coupons = await stack.finance.listCoupons({ ticketId: ticket!.id });
  t.deepEqual(coupons.map((c) => c.amount), [expected]);
  await recordHistory(stack, 'sop-late-arrival', `ticket-${ticket!.id}`);
});

test('attitude complaint: QA review decides a penalty, apology coupon, user confirms, closed', async (t) => {
  const order = await orderOf(stack, 'correct_bill');
  const [ticket] = await open('司机态度恶劣,还骂人', { orderId: order.id, userId: order.userId });
  t.is(ticket!.sopType, 'attitude');
  await waitForLive(stack, ticket!.id, waitingForDecision('qa_group'));
  const queued = await waitForEvent(stack, ticket!.id, (e) => e.step === 'qa_review' && e.kind === 'entered');
  t.like(queued.data, { group: 'qa_group', decisions: ['warning', 'penalty', 'no_fault'] });
  t.like((await getTicket(stack, ticket!.id)).body.ticket, { status: 'in_progress', skillGroup: 'qa_group' });
  t.is((await decide(stack, ticket!.id, { decision: 'penalty', agentId: 'QA-1', note: '司机扣分处理' })).status, 202);
  await waitForStatus(stack, ticket!.id, 'awaiting_confirmation');
  await confirm(stack, ticket!.id, { accepted: true });
  const closed = await waitForStatus(stack, ticket!.id, 'closed');
  t.is(closed.ticket.resolution.code, 'resolved');
  const coupons = await stack.finance.listCoupons({ ticketId: ticket!.id });
  t.deepEqual(coupons.map((c) => c.amount), [policyOf('attitude').apologyCouponFen]);
  await recordHistory(stack, 'sop-attitude', `ticket-${ticket!.id}`);
});

test('cargo damage: evidence uploaded and collected, claims agent decides liability and amount, payout once', async (t) => {
  const order = await orderOf(stack, 'correct_bill', (o) => o.status === 'completed' && o.total >= 2_000);
  const [ticket] = await open('冰箱运到的时候门被摔坏了,要求赔偿', { orderId: order.id, userId: order.userId });
  t.is(ticket!.sopType, 'cargo_damage');
  await waitForLive(stack, ticket!.id, waitingForSignal('evidence_uploaded'));
  t.is((await sendSignal(stack, ticket!.id, 'tech_fixed')).status, 409);
  t.is((await sendSignal(stack, ticket!.id, 'evidence_uploaded', { files: ['photo-1.jpg'] })).status, 202);
  await waitForLive(stack, ticket!.id, waitingForDecision('claims_group'));
  const collected = await waitForEvent(stack, ticket!.id, (e) => e.step === 'collect_evidence' && e.kind === 'completed');
  t.is(collected.data.result.orderId, order.id);
  const amountFen = Math.floor(order.total / 2);
  t.is((await decide(stack, ticket!.id, { decision: 'liable', agentId: 'C-9', data: { amountFen } })).status, 202);
  await waitForStatus(stack, ticket!.id, 'awaiting_confirmation');
  await confirm(stack, ticket!.id, { accepted: true });
  await waitForStatus(stack, ticket!.id, 'closed');
  const refunds = await stack.finance.listRefunds({ ticketId: ticket!.id });
  t.deepEqual(refunds.map((r) => r.amount), [amountFen]);
  await recordHistory(stack, 'sop-cargo-damage', `ticket-${ticket!.id}`);
});

test('cargo loss: not liable, explained, confirmed, nothing paid', async (t) => {
  const order = await orderOf(stack, 'correct_bill', (o) => o.status === 'completed');
  const [ticket] = await open('少了两箱货,东西不见了', { orderId: order.id, userId: order.userId });
  t.is(ticket!.sopType, 'cargo_loss');
  await waitForLive(stack, ticket!.id, waitingForSignal('evidence_uploaded'));
  await sendSignal(stack, ticket!.id, 'evidence_uploaded', { files: [] });
  await waitForLive(stack, ticket!.id, waitingForDecision('claims_group'));
  await decide(stack, ticket!.id, { decision: 'not_liable', agentId: 'C-2', note: '签收单显示件数一致' });
  await waitForStatus(stack, ticket!.id, 'awaiting_confirmation');
  await confirm(stack, ticket!.id, { accepted: true });
  await waitForStatus(stack, ticket!.id, 'closed');
  t.deepEqual(await stack.finance.listRefunds({ ticketId: ticket!.id }), []);
  await recordHistory(stack, 'sop-cargo-loss', `ticket-${ticket!.id}`);
});

test('safety incident: escalated at once, on-call paged by SMS, safety group resolves with the police', async (t) => {
  const [ticket] = await open('司机威胁我说要把我的货扔掉,我很害怕,要报警', { userId: 'U-safety' });
  t.is(ticket!.sopType, 'safety_incident');
  const body = await waitForStatus(stack, ticket!.id, 'escalated');
  t.like(body.events.find((e: { kind: string }) => e.kind === 'escalated').data, { to: 'safety_group' });
  await waitForLive(stack, ticket!.id, waitingForDecision('safety_group'));
  const page = await waitForSms(stack, (m) => m.text.includes(ticket!.id));
  t.is(page.to, stack.config.onCallPhones.safety_group);
  await decide(stack, ticket!.id, { decision: 'police_involved', agentId: 'S-1', note: '已报警并联系用户' });
  const closed = await waitForStatus(stack, ticket!.id, 'closed');
  t.is(closed.ticket.resolution.code, 'police_involved');
  await recordHistory(stack, 'sop-safety-incident', `ticket-${ticket!.id}`);
});

test('app technical: tech ticket opened, fixed signal, user confirms, closed', async (t) => {
  const [ticket] = await open('更新到新版本以后APP一直闪退,打不开', { userId: 'U-tech', appVersion: '5.2.1', region: 'shenzhen' });
  t.is(ticket!.sopType, 'app_technical');
  await waitForLive(stack, ticket!.id, waitingForSignal('tech_fixed'));
  const created = await waitForEvent(stack, ticket!.id, (e) => e.step === 'create_tech_ticket' && e.kind === 'completed');
  t.regex(created.data.result.techTicketId, /^TECH-/);
  t.is((await confirm(stack, ticket!.id, { accepted: true })).status, 409);
  await sendSignal(stack, ticket!.id, 'tech_fixed', { note: 'fixed in 5.2.2' });
  await waitForStatus(stack, ticket!.id, 'awaiting_confirmation');
  await confirm(stack, ticket!.id, { accepted: true });
  const closed = await waitForStatus(stack, ticket!.id, 'closed');
  t.is(closed.ticket.resolution.code, 'resolved');
  t.true(kinds(closed.events).includes('await_fix:signal'));
  await recordHistory(stack, 'sop-app-technical', `ticket-${ticket!.id}`);
});

test('triage: a human picks the type and the ticket continues under that SOP', async (t) => {
  const order = await orderOf(stack, 'late_arrival');
  const [ticket] = await open('你好,在吗', { orderId: order.id, userId: order.userId });
  t.is(ticket!.sopType, 'triage');
  await waitForLive(stack, ticket!.id, waitingForDecision('triage'));
  await waitForEvent(stack, ticket!.id, (e) => e.step === 'route' && e.kind === 'entered');
  t.is((await getTicket(stack, ticket!.id)).body.ticket.status, 'triage');
  await decide(stack, ticket!.id, { decision: 'late_arrival', agentId: 'T-1' });
  const waiting = await waitForStatus(stack, ticket!.id, 'awaiting_confirmation');
  t.like(waiting.ticket, { sopType: 'late_arrival', sopVersion: 1 });
  t.like(waiting.live.sop, { type: 'late_arrival' });
  t.true(kinds(waiting.events).includes('reroute_late_arrival:rerouted'));
  await recordHistory(stack, 'sop-triage-rerouted', `ticket-${ticket!.id}`);
});
