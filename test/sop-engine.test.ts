// The SOP engine's promises: versions are immutable and pinned per ticket, publishing is validated
// and admin-only, human-step SLA breaches escalate, closed tickets can be reopened (二次处理).
import test from 'ava';
import { ACTION_NAMES } from '../sops/actions';
import { loadDefaultSops } from '../sops/load';
import { SIGNALS, STEP_KINDS } from '../sops/types';
import { decide, recordHistory, waitForEvent, waitForLive, waitingForDecision } from './helpers/flows';
import { startTestStack, type TestStack } from './helpers/stack';
import type { As } from './helpers/credentials';
import { api as callApi, confirm, orderOf, postTicket, reopen, waitForStatus } from './helpers/tickets';

let stack: TestStack;
test.before(async () => {
  stack = await startTestStack({ policy: { confirmationTimeout: 20_000, triageSla: 1_500, reopenWindow: 30_000 } });
});
test.after.always(async () => {
  await stack?.close();
});

const defaults = loadDefaultSops();
const lateArrival = defaults.find((d) => d.type === 'late_arrival')!;

/** SOP routes as the designer calls them: reads without credentials, publishing with a token. */
async function api(method: 'GET' | 'POST', url: string, payload?: object, as: As = null) {
  const { status, body } = await callApi(stack, method, url, { payload, as });
  return { status, body };
}

test.serial('a ticket keeps its SOP version after a new one is published; new tickets take the new one', async (t) => {
  const order = await orderOf(stack, 'late_arrival', (o) => {
    const late = (Date.parse(o.times.driverArrivedAt!) - Date.parse(o.times.promisedPickupAt)) / 60_000;
    return late >= 30 && late < 60;
  });
  const before = await postTicket(stack, { text: '司机迟到了', orderId: order.id, userId: order.userId });
  const v1Ticket = before.body.tickets[0];
  t.like(v1Ticket, { sopType: 'late_arrival', sopVersion: 1 });
  await waitForStatus(stack, v1Ticket.id, 'awaiting_confirmation');

  // the compensation bands come from the knowledge base's table, not the SOP: v2 changes what the user is told
  const v2 = structuredClone(lateArrival);
  const sendSolution = v2.steps.send_solution as { message: { zh: string; en: string } };
  sendSolution.message = { zh: '【第二版】{{proposal.message}}', en: '[v2] {{proposal.message}}' };
  const published = await api('POST', '/v1/sops/late_arrival/versions', { document: v2 }, stack.auth.admin);
  t.is(published.status, 201);
  t.is(published.body.version, 2);
  const versions = await api('GET', '/v1/sops/late_arrival/versions');
  t.deepEqual(versions.body.map((v: { version: number }) => v.version), [2, 1]);
  t.is((await api('GET', '/v1/sops/late_arrival/versions/latest')).body.document.steps.send_solution.message.zh, '【第二版】{{proposal.message}}');

  const after = await postTicket(stack, { text: '司机迟到了半个多小时', orderId: order.id, userId: order.userId });
  const v2Ticket = after.body.tickets[0];
  t.like(v2Ticket, { sopType: 'late_arrival', sopVersion: 2 });
  await waitForStatus(stack, v2Ticket.id, 'awaiting_confirmation');
  const told = async (id: string) => (await callApi(stack, 'GET', `/v1/tickets/${id}`)).body.events.filter((e: { kind: string }) => e.kind === 'notified').map((e: { data: { message: string } }) => e.data.message);
  t.regex((await told(v2Ticket.id)).at(-1), /^【第二版】经核实订单/);
  t.notRegex((await told(v1Ticket.id)).at(-1), /第二版/, 'the running ticket keeps version 1');

  await confirm(stack, v1Ticket.id, { accepted: true });
  const v1Closed = await waitForStatus(stack, v1Ticket.id, 'closed');
  t.like(v1Closed.live.sop, { type: 'late_arrival', version: 1 });
  t.deepEqual((await stack.finance.listCoupons({ ticketId: v1Ticket.id })).map((c) => c.amount), [lateArrival.policy!.lateBand30Fen]);
});

test('publishing needs an admin token and a valid document', async (t) => {
  const fee = defaults.find((d) => d.type === 'fee_dispute')!;
  t.is((await api('POST', '/v1/sops/fee_dispute/versions', { document: fee })).status, 401);
  const asAgent = await api('POST', '/v1/sops/fee_dispute/versions', { document: fee }, await stack.auth.staff('AG-1'));
  t.is(asAgent.status, 403);
  const broken = structuredClone(fee);
  (broken.steps.fetch_order as { next: string }).next = 'nowhere';
  (broken.steps.match_solution as { action: string }).action = 'teleport';
  const rejected = await api('POST', '/v1/sops/fee_dispute/versions', { document: broken }, stack.auth.admin);
  t.is(rejected.status, 400);
  t.is(rejected.body.error, 'invalid_sop');
  const steps = rejected.body.errors.map((e: { step?: string }) => e.step);
  t.true(steps.includes('fetch_order'));
  t.true(steps.includes('match_solution'));
  const validated = await api('POST', '/v1/sops/validate', { document: broken });
  t.is(validated.status, 200);
  t.false(validated.body.valid);
  t.deepEqual(validated.body.errors, rejected.body.errors);
  t.is((await api('GET', '/v1/sops/fee_dispute/versions')).body.length, 1);
  const wrongType = await api('POST', '/v1/sops/late_arrival/versions', { document: fee }, stack.auth.admin);
  t.is(wrongType.status, 400);
});

test('SOP catalog and listing', async (t) => {
  const list = await api('GET', '/v1/sops');
  t.deepEqual(list.body.map((s: { type: string }) => s.type).sort(), defaults.map((d) => d.type).sort());
  const catalog = await api('GET', '/v1/sops/catalog');
  t.truthy(catalog.body.actions.fetchOrder);
  // step kinds, signals and actions come from one place in sops/
  t.deepEqual(catalog.body.stepKinds, [...STEP_KINDS]);
  t.deepEqual(catalog.body.signals, [...SIGNALS]);
  t.deepEqual(Object.keys(catalog.body.actions), ACTION_NAMES);
  t.is(catalog.body.actions.issueRefund.retry, 'idempotent');
  t.is((await api('GET', '/v1/sops/nope/versions')).status, 404);
  t.is((await api('GET', '/v1/sops/fee_dispute/versions/99')).status, 404);
});

test('a human step past its SLA escalates to the supervisors, who can still decide', async (t) => {
  const created = await postTicket(stack, { text: '你好,在吗?', userId: 'U-sla' });
  const ticket = created.body.tickets[0];
  t.is(ticket.sopType, 'triage');
  const breach = await waitForEvent(stack, ticket.id, (e) => e.kind === 'sla_breached' && e.step === 'route');
  t.is(breach.data.group, 'triage');
  const escalated = await waitForStatus(stack, ticket.id, 'escalated');
  t.like(escalated.ticket, { skillGroup: 'supervisor_group' });
  t.like(escalated.events.find((e: { kind: string }) => e.kind === 'escalated').data, { to: 'supervisor_group', reason: 'sla_breached' });
  await waitForLive(stack, ticket.id, waitingForDecision('supervisor_group'));
  t.is((await decide(stack, ticket.id, { decision: 'general', agentId: 'SUP-1' })).status, 202);
  await waitForLive(stack, ticket.id, waitingForDecision('general_group'));
});

test('a closed ticket reopened by the user is handled a second time (二次处理) without paying twice', async (t) => {
  const order = await orderOf(stack, 'waiting_fee_overcharged', (o) => o.id !== 'ORD-100007');
  const created = await postTicket(stack, { text: '等候费多收了', orderId: order.id, userId: order.userId });
  const ticket = created.body.tickets[0];
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  await confirm(stack, ticket.id, { accepted: true });
  await waitForStatus(stack, ticket.id, 'closed');
  t.is((await reopen(stack, ticket.id, {})).status, 400);
  const reopened = await reopen(stack, ticket.id, { reason: '钱没到账,问题没解决' });
  t.is(reopened.status, 202);
  const event = await waitForEvent(stack, ticket.id, (e) => e.kind === 'reopened');
  t.like(event.data, { secondHandling: true, reopens: 1 });
  // second pass: the analysis sees the refund already made and proposes an explanation, not a second refund
  const again = await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  t.like(again.live.solution, { kind: 'explanation' });
  await confirm(stack, ticket.id, { accepted: true });
  await waitForEvent(stack, ticket.id, (e) => e.kind === 'archived' && e.seq > event.seq);
  t.is((await stack.finance.listRefunds({ ticketId: ticket.id })).length, 1);
  t.is((await reopen(stack, ticket.id, { reason: 'again' })).status, 202);
  const second = await waitForEvent(stack, ticket.id, (e) => e.kind === 'reopened' && e.seq > event.seq);
  t.like(second.data, { secondHandling: true, reopens: 2 });
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  await confirm(stack, ticket.id, { accepted: true });
  await waitForEvent(stack, ticket.id, (e) => e.kind === 'archived' && e.seq > second.seq);
  t.is((await stack.finance.listRefunds({ ticketId: ticket.id })).length, 1);
  await recordHistory(stack, 'sop-reopen', `ticket-${ticket.id}`);
});
