// No dead ends, typed decisions, a second person above the limit, bounded actions, safe payloads:
// through the real ticketWorkflow with millisecond policy timers. Procedures that no default SOP has
// (a failing action without onError, a reroute to nowhere, every onBreach kind) are published as
// versions of `triage` in this file's own database, and the tickets are opened as triage tickets.
import test from 'ava';
import { seedDefaultSops, getSopVersion, publishSop } from '../schema/sop-repository';
import { loadDefaultSops } from '../sops/load';
import { deliverSignalUpdate, decideUpdate } from '../workflows/definitions';
import { decide, publishSopVersion, recordHistory, sendSignal, waitForEvent, waitForLive, waitingForDecision, waitingForSignal } from './helpers/flows';
import { authHeaders } from './helpers/credentials';
import { startTestStack, type TestStack } from './helpers/stack';
import { confirm, getTicket, orderOf, postTicket, waitForStatus } from './helpers/tickets';

let stack: TestStack;
test.before(async () => {
  // autoRefundLimitFen 100: any overcharge above ¥1 goes to the fee team, and an agent's refund above ¥1 needs a supervisor
  stack = await startTestStack({ policy: { confirmationTimeout: 20_000, autoRefundLimitFen: 100, actionSla: 2_500, handoffSla: 400 } });
});
test.after.always(async () => {
  await stack?.close();
});

const defaults = loadDefaultSops();
const triage = defaults.find((d) => d.type === 'triage')!;
const kinds = (events: Array<{ step: string; kind: string }>) => events.map((e) => `${e.step}:${e.kind}`);

/** A triage version made of these steps (start: the first), published; returns a new ticket on it. */
async function ticketOn(steps: Record<string, object>, policy: Record<string, number> = {}, userId = 'U-handoff') {
  const document = { type: 'triage', name: { zh: '测试', en: 'Test' }, appliesTo: triage.appliesTo, start: Object.keys(steps)[0], policy, steps };
  const published = await publishSopVersion(stack, 'triage', document);
  if (published.status !== 201) throw new Error(`publish answered ${published.status}: ${JSON.stringify(published.body)}`);
  const created = await postTicket(stack, { text: '你好,在吗?', userId });
  const ticket = created.body.tickets[0] as { id: string; workflowId: string; sopType: string; sopVersion: number };
  if (ticket.sopVersion !== published.body.version) throw new Error(`ticket runs triage v${ticket.sopVersion}, not v${published.body.version}`);
  return ticket;
}

const close = (resolution = 'resolved', data?: object) => ({ kind: 'close', owner: 'system', resolution, ...(data ? { data } : {}) });
const task = (next: unknown, over: object = {}) => ({ kind: 'human_task', owner: 'general_group', group: 'general_group', task: { zh: '处理', en: 'Handle it' }, decisions: ['ok'], data: {}, next, ...over });

test.serial('an action failing for good without onError lands in the supervisors\' built-in step: retry, then close', async (t) => {
  const ticket = await ticketOn({
    pay: { kind: 'action', owner: 'system', action: 'issueRefund', input: { orderId: 'ORD-999999', amountFen: 100, reason: 'test' }, output: 'refund', next: 'done' },
    done: close(),
  });
  const live = await waitForLive(stack, ticket.id, waitingForDecision('supervisor_group'));
  t.deepEqual(live.waitingFor.decisions, ['retry', 'close']);
  t.like((await getTicket(stack, ticket.id)).body.ticket, { status: 'escalated', skillGroup: 'supervisor_group' });
  // the built-in step has an SLA (handoffSla, 400 ms in this file): past it the supervisors are reminded, it keeps waiting
  const reminded = await waitForEvent(stack, ticket.id, (e) => e.step === '$handoff' && e.kind === 'notified');
  t.is(reminded.data.to, 'supervisor_group');
  t.like(await waitForLive(stack, ticket.id, waitingForDecision('supervisor_group')), { step: '$handoff' });
  const escalated = await waitForEvent(stack, ticket.id, (e) => e.kind === 'escalated');
  t.like(escalated.data, { to: 'supervisor_group', reason: 'action_failed:issueRefund' });
  t.regex(escalated.data.error, /ORD-999999/);

  // the built-in step takes no data
  t.is((await decide(stack, ticket.id, { decision: 'close', agentId: 'SUP-1', data: { amountFen: 1 } })).status, 409);
  t.is((await decide(stack, ticket.id, { decision: 'retry', agentId: 'SUP-1' })).status, 202);
  await waitForEvent(stack, ticket.id, (e) => e.kind === 'failed' && e.seq > escalated.seq);
  await waitForLive(stack, ticket.id, waitingForDecision('supervisor_group'));
  t.is((await decide(stack, ticket.id, { decision: 'close', agentId: 'SUP-1', note: '订单号错误,已联系用户' })).status, 202);
  const closed = await waitForStatus(stack, ticket.id, 'closed');
  t.like(closed.ticket.resolution, { code: 'closed_after_escalation', reason: 'action_failed:issueRefund', step: 'pay', decidedBy: 'SUP-1', note: '订单号错误,已联系用户' });
  t.is(closed.events.filter((e: { kind: string }) => e.kind === 'failed').length, 2);
  await recordHistory(stack, 'sop-failure-handoff', ticket.workflowId);
});

test.serial('an action without sla is bounded by the policy actionSla: a finance outage past it goes to onError', async (t) => {
  const order = await orderOf(stack, 'correct_bill');
  // every finance POST answers 503 (retryable) until cleared
  const faults = (failNext: number) => fetch(`${stack.sandbox.financeApiUrl}/_faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext, mode: 'before' }) });
  await faults(1_000);
  try {
    const started = Date.now();
    const ticket = await ticketOn({
      pay: { kind: 'action', owner: 'system', action: 'issueRefund', input: { orderId: order.id, amountFen: 100, reason: 'test' }, output: 'refund', next: 'done', onError: 'review' },
      review: task('done'),
      done: close(),
    }, {}, order.userId); // the order's own user: money goes only to the owner
    const failed = await waitForEvent(stack, ticket.id, (e) => e.kind === 'failed' && e.step === 'pay');
    t.true(Date.now() - started < 15_000, 'bounded by actionSla (2.5 s here), not by the 5-minute default');
    t.like(failed.data, { timedOut: true, slaMs: 2_500 });
    await waitForLive(stack, ticket.id, waitingForDecision('general_group'));
    t.is((await decide(stack, ticket.id, { decision: 'ok', agentId: 'G-1' })).status, 202);
    const closed = await waitForStatus(stack, ticket.id, 'closed');
    t.deepEqual(kinds(closed.events).filter((k) => k.startsWith('pay:') || k.startsWith('review:')), ['pay:entered', 'pay:failed', 'review:entered', 'review:decided']);
    await recordHistory(stack, 'sop-on-error', ticket.workflowId);
  } finally {
    await faults(0);
  }
  t.deepEqual(await stack.finance.listRefunds({ orderId: order.id }), []);
});

test.serial('a human step past its SLA: continue, notify and escalate', async (t) => {
  const ticket = await ticketOn(
    {
      first: task('second', { sla: '$short', onBreach: { action: 'continue', next: 'second' } }),
      second: task('third', { sla: '$short', onBreach: { action: 'notify', to: 'supervisor_group' } }),
      third: task('done', { sla: '$short', onBreach: { action: 'escalate', to: 'supervisor_group' } }),
      done: close(),
    },
    { short: 300 },
  );
  // continue: nobody decided the first step; the ticket went on to the second
  await waitForEvent(stack, ticket.id, (e) => e.step === 'second' && e.kind === 'notified');
  // notify: the second step still waits for its own group
  await waitForLive(stack, ticket.id, (l) => l.step === 'second' && waitingForDecision('general_group')(l));
  t.is((await decide(stack, ticket.id, { decision: 'ok', agentId: 'G-1' })).status, 202);
  // escalate: the third step waits for the supervisors
  await waitForLive(stack, ticket.id, (l) => l.step === 'third' && waitingForDecision('supervisor_group')(l));
  t.is((await decide(stack, ticket.id, { decision: 'ok', agentId: 'SUP-1' })).status, 202);
  const closed = await waitForStatus(stack, ticket.id, 'closed');
  t.deepEqual(
    kinds(closed.events).filter((k) => /^(first|second|third):/.test(k)),
    ['first:entered', 'first:sla_breached', 'second:entered', 'second:sla_breached', 'second:notified', 'second:decided', 'third:entered', 'third:sla_breached', 'third:escalated', 'third:decided'],
  );
  t.like(closed.events.find((e: { step: string; kind: string }) => e.step === 'first' && e.kind === 'sla_breached').data, { group: 'general_group', slaMs: 300 });
  await recordHistory(stack, 'sop-breach-kinds', ticket.workflowId);
});

test.serial('a reroute from triage to a type without an SOP lands in the supervisors\' built-in step', async (t) => {
  const ticket = await ticketOn({ route: task({ ok: 'go' }, { owner: 'triage', group: 'triage' }), go: close('rerouted_nowhere') });
  await waitForLive(stack, ticket.id, waitingForDecision('triage'));
  t.is((await decide(stack, ticket.id, { decision: 'ok', agentId: 'T-1' })).status, 202);
  const live = await waitForLive(stack, ticket.id, waitingForDecision('supervisor_group'));
  t.deepEqual(live.waitingFor.decisions, ['retry', 'close']);
  const escalated = await waitForEvent(stack, ticket.id, (e) => e.kind === 'escalated');
  t.like(escalated.data, { to: 'supervisor_group', reason: 'reroute_failed' });
  t.regex(escalated.data.error, /no published SOP of type nowhere/);
  t.is((await decide(stack, ticket.id, { decision: 'close', agentId: 'SUP-1', note: 'no such procedure' })).status, 202);
  const closed = await waitForStatus(stack, ticket.id, 'closed');
  t.like(closed.ticket.resolution, { code: 'closed_after_escalation', reason: 'reroute_failed', step: 'go' });
  await recordHistory(stack, 'sop-reroute-failure', ticket.workflowId);
});

test.serial('a running document published before escalate needed next hands the ticket to a step of the group instead of ending it', async (t) => {
  // such a document can no longer be published through the API: store it as an old version would be
  const document = {
    type: 'triage', name: { zh: '旧版', en: 'Old version' }, appliesTo: triage.appliesTo, start: 'give_up',
    steps: { give_up: { kind: 'escalate', owner: 'system', to: 'claims_group', level: 1, reason: 'old_terminal_escalation' }, unused: close() },
  };
  const row = await publishSop(stack.db, document as never, 'admin');
  const created = await postTicket(stack, { text: '你好,在吗?', userId: 'U-old-doc' });
  const ticket = created.body.tickets[0];
  t.is(ticket.sopVersion, row.version);
  const live = await waitForLive(stack, ticket.id, waitingForDecision('claims_group'));
  t.deepEqual(live.waitingFor.decisions, ['close']);
  t.like((await getTicket(stack, ticket.id)).body.ticket, { status: 'escalated', skillGroup: 'claims_group' });
  t.is((await decide(stack, ticket.id, { decision: 'close', agentId: 'C-1', note: 'handled by phone' })).status, 202);
  const closed = await waitForStatus(stack, ticket.id, 'closed');
  t.like(closed.ticket.resolution, { code: 'closed_after_escalation', reason: 'old_terminal_escalation', step: 'give_up', decidedBy: 'C-1' });
  await recordHistory(stack, 'sop-escalation-handoff', ticket.workflowId);
});

test.serial('signal payloads and decision data reach the context with own, safe keys only', async (t) => {
  const ticket = await ticketOn(
    {
      wait: { kind: 'wait_signal', owner: 'user', signal: 'evidence_uploaded', timeout: '$long', output: 'ev', next: 'look', onTimeout: 'done' },
      look: task('done', { data: undefined, output: 'look' }),
      done: close('resolved', { ev: { var: 'ev' }, lookData: { var: 'look.data' } }),
    },
    { long: 20_000 },
  );
  await waitForLive(stack, ticket.id, waitingForSignal('evidence_uploaded'));
  // the API's JSON parser refuses a body with __proto__ outright
  const viaApi = await stack.app.inject({ method: 'POST', url: `/v1/tickets/${ticket.id}/signals/evidence_uploaded`, headers: { ...authHeaders(stack.auth.service), 'content-type': 'application/json' }, payload: '{"payload":{"__proto__":{"polluted":true}}}' });
  t.is(viaApi.statusCode, 400);
  // straight to the workflow (another client of Temporal), the workflow copies only safe keys
  const handle = stack.client.workflow.getHandle(ticket.workflowId);
  const payload = JSON.parse('{"files":["a.jpg"],"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"nested":{"__proto__":{"y":1},"ok":1}}');
  await handle.executeUpdate(deliverSignalUpdate, { args: [{ name: 'evidence_uploaded', payload }] });
  await waitForLive(stack, ticket.id, waitingForDecision('general_group'));
  await handle.executeUpdate(decideUpdate, { args: [{ decision: 'ok', agentId: 'G-1', data: JSON.parse('{"amountFen":5,"__proto__":{"isAdmin":true},"prototype":1}') }] });
  const closed = await waitForStatus(stack, ticket.id, 'closed');
  t.deepEqual(closed.ticket.resolution.ev, { files: ['a.jpg'], nested: { ok: 1 } });
  t.deepEqual(closed.ticket.resolution.lookData, { amountFen: 5 });
  const signal = closed.events.find((e: { kind: string }) => e.kind === 'signal');
  t.deepEqual(Object.keys(signal.data).sort(), ['files', 'nested', 'signal']);
});

test.serial('fee review: typed refund data, and above the automatic limit a second person approves', async (t) => {
  const order = await orderOf(stack, 'waiting_fee_overcharged', (o) => o.id !== 'ORD-100007');
  const created = await postTicket(stack, { text: '等候费多收了', orderId: order.id, userId: order.userId });
  const ticket = created.body.tickets[0];
  t.is(ticket.sopType, 'fee_dispute');
  // the overcharge is above autoRefundLimitFen (¥1 here): manual review by the fee team
  await waitForLive(stack, ticket.id, waitingForDecision('fee_group'));
  const refused = async (body: { agentId?: string; [field: string]: unknown }, reason: RegExp) => {
    const answer = await decide(stack, ticket.id, body);
    t.is(answer.status, 409, JSON.stringify(answer.body));
    t.regex(answer.body.message, reason);
  };
  await refused({ decision: 'refund', agentId: 'F-1' }, /data\.amountFen is required for decision 'refund'/);
  await refused({ decision: 'refund', agentId: 'F-1', data: { amountFen: 12.5 } }, /data\.amountFen must be an integer/);
  await refused({ decision: 'refund', agentId: 'F-1', data: { amountFen: 0 } }, /data\.amountFen must be ≥ 1/);
  await refused({ decision: 'refund', agentId: 'F-1', data: { amountFen: order.total + 1 } }, new RegExp(`data\\.amountFen must be ≤ ${order.total}`));
  await refused({ decision: 'refund', agentId: 'F-1', data: { amountFen: 150, bonus: 1 } }, /data\.bonus: decision 'refund' takes only amountFen/);
  await refused({ decision: 'explain', agentId: 'F-1', data: { amountFen: 150 } }, /data\.amountFen: decision 'explain' takes no data/);
  t.is((await decide(stack, ticket.id, { decision: 'refund', agentId: 'F-1', data: { amountFen: 150 }, note: '核实多收' })).status, 202);

  const approval = await waitForLive(stack, ticket.id, waitingForDecision('supervisor_group'));
  t.like(approval, { step: 'refund_approval', waitingFor: { decisions: ['approve', 'reject'] } });
  t.deepEqual(approval.waitingFor.data, {}, 'the live state tells agents what data each decision takes');
  await refused({ decision: 'approve', agentId: 'F-1' }, /agentId: F-1 decided review and may not also decide refund_approval/);
  t.is((await decide(stack, ticket.id, { decision: 'approve', agentId: 'SUP-2' })).status, 202);
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  await confirm(stack, ticket.id, { accepted: true });
  const closed = await waitForStatus(stack, ticket.id, 'closed');
  t.like(closed.ticket.resolution, { code: 'resolved', decision: 'refund', amountFen: 150 });
  t.deepEqual((await stack.finance.listRefunds({ ticketId: ticket.id })).map((r) => r.amount), [150]);
  const decided = closed.events.filter((e: { kind: string; actor: string }) => e.kind === 'decided' && e.actor.startsWith('agent:')).map((e: { step: string; actor: string }) => `${e.step}:${e.actor}`);
  t.deepEqual(decided, ['fee_review:agent:F-1', 'refund_approval:agent:SUP-2']);
  await recordHistory(stack, 'sop-supervisor-approval', `ticket-${ticket.id}`);
});

test.serial('an edited default reaches an existing database as a new version; a person\'s edit is kept', async (t) => {
  const attitude = defaults.find((d) => d.type === 'attitude')!;
  const before = (await getSopVersion(stack.db, 'attitude', null))!;
  // unchanged defaults publish nothing
  t.deepEqual((await seedDefaultSops(stack.db, [attitude])).published, []);
  const edited = structuredClone(attitude);
  edited.policy = { ...edited.policy, apologyCouponFen: 1_500 };
  t.deepEqual(await seedDefaultSops(stack.db, [edited]), { published: [{ type: 'attitude', version: before.version + 1 }], keptEdits: [] });
  t.deepEqual((await seedDefaultSops(stack.db, [edited])).published, [], 'seeding twice publishes once');
  // the earlier version is still there, unchanged, for the tickets that run it
  t.deepEqual((await getSopVersion(stack.db, 'attitude', before.version))!.document, before.document);
  // a version a person published is never overridden by a changed default
  const byPerson = structuredClone(edited);
  byPerson.policy = { ...byPerson.policy, apologyCouponFen: 800 };
  await publishSop(stack.db, byPerson, 'admin');
  const newer = structuredClone(edited);
  newer.policy = { ...newer.policy, apologyCouponFen: 2_000 };
  t.deepEqual(await seedDefaultSops(stack.db, [newer]), { published: [], keptEdits: ['attitude'] });
  t.is((await getSopVersion(stack.db, 'attitude', null))!.document.policy!.apologyCouponFen, 800);
});

test('a signal the ticket does not wait for and a bad payload are refused', async (t) => {
  const order = await orderOf(stack, 'correct_bill', (o) => o.status === 'completed' && o.total >= 2_000);
  const [ticket] = (await postTicket(stack, { text: '冰箱运到的时候门被摔坏了,要求赔偿', orderId: order.id, userId: order.userId })).body.tickets;
  await waitForLive(stack, ticket.id, waitingForSignal('evidence_uploaded'));
  t.is((await sendSignal(stack, ticket.id, 'tech_fixed')).status, 409);
  const handle = stack.client.workflow.getHandle(ticket.workflowId);
  const err = await t.throwsAsync(handle.executeUpdate(deliverSignalUpdate, { args: [{ name: 'evidence_uploaded', payload: ['not', 'an', 'object'] as never }] }));
  t.regex((err?.cause as Error | undefined)?.message ?? '', /payload must be an object/);
});
