// Automatic dispatch by group policy, the SLA clock pausing while the ticket waits on the user, and
// silence rules, through the real ticket workflow with millisecond durations.
import test from 'ava';
import { dispatchOnce } from '../dispatch/dispatcher';
import { agent, queue, ticketsInQueue } from './helpers/dispatch';
import { decide, recordHistory, waitForEvent } from './helpers/flows';
import { startTestStack, type TestStack } from './helpers/stack';
import { api, getTicket, waitForStatus } from './helpers/tickets';

let stack: TestStack;
test.before(async () => {
  stack = await startTestStack();
});
test.after.always(async () => {
  await stack?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const policy = (group: string, body: object) => api(stack, 'PUT', `/v1/queues/${group}/policy`, { as: stack.auth.admin, payload: body });
const holders = async (group: string) => (await queue(stack, group)).map((i) => i.holder);
const count = (list: Array<string | null>, who: string | null) => list.filter((h) => h === who).length;

test.serial('round-robin gives tickets in turn to online agents of the group; offline and unskilled agents get none', async (t) => {
  t.is((await policy('claims_group', { policy: 'round_robin' })).status, 200);
  await agent(stack, 'RR-1', ['claims_group']);
  await agent(stack, 'RR-2', ['claims_group']);
  await agent(stack, 'RR-off', ['claims_group'], { status: 'offline' });
  await agent(stack, 'RR-other', ['qa_group']);
  const ids = await ticketsInQueue(stack, 'claims_group', 4);
  t.is(await dispatchOnce(stack.client, stack.db), 4);
  const held = await holders('claims_group');
  t.is(count(held, 'RR-1'), 2);
  t.is(count(held, 'RR-2'), 2);
  for (const id of ids) {
    const { body } = await getTicket(stack, id);
    t.true(['RR-1', 'RR-2'].includes(body.live.holder.agentId));
    t.like(body.events.find((e: { kind: string }) => e.kind === 'assigned'), { actor: 'system', data: { by: 'dispatcher' } });
  }
});

test.serial('least-loaded gives the next tickets to the agent holding fewest', async (t) => {
  t.is((await policy('fee_group', { policy: 'least_loaded' })).status, 200);
  const busy = await agent(stack, 'LL-busy', ['fee_group'], { status: 'away' });
  await ticketsInQueue(stack, 'fee_group', 4);
  t.is((await api(stack, 'POST', '/v1/me/next', { as: busy })).status, 200);
  t.is((await api(stack, 'POST', '/v1/me/next', { as: busy })).status, 200);
  await agent(stack, 'LL-busy', ['fee_group']); // back online, holding 2
  await agent(stack, 'LL-idle', ['fee_group']);
  t.is(await dispatchOnce(stack.client, stack.db), 2);
  const held = await holders('fee_group');
  t.is(count(held, 'LL-busy'), 2);
  t.is(count(held, 'LL-idle'), 2);
});

test.serial('pull-only: nothing is dispatched, the agent pulls', async (t) => {
  t.is((await policy('qa_group', { policy: 'pull_only' })).status, 200);
  const puller = await agent(stack, 'PO-1', ['qa_group']);
  const [id] = await ticketsInQueue(stack, 'qa_group', 1);
  t.is(await dispatchOnce(stack.client, stack.db), 0);
  t.deepEqual(await holders('qa_group'), [null]);
  t.like((await api(stack, 'POST', '/v1/me/next', { as: puller })).body, { assigned: { ticketId: id } });
  // a policy with half a silence rule is refused with the field
  const half = await policy('qa_group', { policy: 'pull_only', silenceMs: 100 });
  t.is(half.status, 400);
  t.is(half.body.fields[0].field, 'silenceAction');
});

test.serial('the SLA clock stops while the ticket waits on the user and goes on after; past it, the supervisors see it', async (t) => {
  await policy('general_group', { policy: 'pull_only' });
  const ann = await agent(stack, 'SLA-ann', ['general_group']);
  // the step's SLA, and a pause longer than all of it (SLA_MS leaves room for a loaded CI machine before the pause starts)
  const SLA_MS = 1_500;
  const PAUSE_MS = SLA_MS + 100;
  const [id] = await ticketsInQueue(stack, 'general_group', 1, { sla: SLA_MS });
  t.is((await api(stack, 'POST', '/v1/me/next', { as: ann })).status, 200);
  const asked = await api(stack, 'POST', `/v1/tickets/${id}/info-request`, { as: ann, payload: { question: '请提供订单号' } });
  t.is(asked.status, 200, JSON.stringify(asked.body));
  t.truthy(asked.body.pausedAt);
  t.is((await getTicket(stack, id)).body.ticket.status, 'awaiting_user');
  const paused = (await queue(stack, 'general_group')).find((i) => i.ticketId === id)!;
  t.true(paused.paused);
  await sleep(PAUSE_MS); // longer than the whole SLA
  const still = (await queue(stack, 'general_group')).find((i) => i.ticketId === id)!;
  t.is(still.remainingMs, paused.remainingMs, 'the remaining time does not run while paused');
  t.false((await getTicket(stack, id)).body.events.some((e: { kind: string }) => e.kind === 'sla_breached'));
  // only while paused does an answer count
  const answered = await api(stack, 'POST', `/v1/tickets/${id}/info`, { payload: { answer: 'ORD-100001' } });
  t.is(answered.status, 200, JSON.stringify(answered.body));
  t.is((await api(stack, 'POST', `/v1/tickets/${id}/info`, { payload: { answer: 'again' } })).status, 409);
  t.is((await getTicket(stack, id)).body.ticket.status, 'triage', 'back to the status it had (a triage ticket stays triage)');
  const received = await waitForEvent(stack, id, (e) => e.kind === 'info_received');
  t.true(received.data.pausedMs >= PAUSE_MS, String(received.data.pausedMs));
  // the clock runs again from what was left; on a loaded machine that little may already be spent and the item gone
  const resumed = (await queue(stack, 'general_group')).find((i) => i.ticketId === id);
  if (resumed) {
    t.false(resumed.paused);
    t.true(resumed.remainingMs! <= paused.remainingMs!);
  }
  // the clock ran out only after SLA + pause: then the default rule escalates to the supervisors' queue
  const breached = await waitForEvent(stack, id, (e) => e.kind === 'sla_breached');
  const entered = (await getTicket(stack, id)).body.events.find((e: { kind: string; step: string }) => e.kind === 'entered' && e.step === 'handle');
  t.true(Date.parse(breached.at) - Date.parse(entered.at) >= SLA_MS + PAUSE_MS);
  await waitForEvent(stack, id, (e) => e.kind === 'escalated');
  t.like((await queue(stack, 'supervisor_group')).find((i) => i.ticketId === id), { holder: null, breached: true, deadline: null });
  // the user's side: a status is not asked of a ticket nobody holds
  t.is((await api(stack, 'POST', `/v1/tickets/${id}/info-request`, { as: ann, payload: { question: '?' } })).status, 409);
  t.is((await decide(stack, id, { decision: 'done', agentId: 'SLA-sup' })).status, 202);
  await waitForStatus(stack, id, 'closed');
  await recordHistory(stack, 'dispatch-sla-pause', `ticket-${id}`);
});

test.serial('silence rules: no action by the holder for N ms → remind, reassign or tell the supervisors', async (t) => {
  const rules = { tech_team: 'remind', safety_group: 'reassign', order_exception_group: 'notify_supervisor' } as const;
  const tickets: Record<string, string> = {};
  for (const group of Object.keys(rules)) {
    t.is((await policy(group, { policy: 'pull_only' })).status, 200);
    const token = await agent(stack, `SIL-${group}`, [group]);
    [tickets[group]] = await ticketsInQueue(stack, group, 1);
    t.is((await api(stack, 'POST', '/v1/me/next', { as: token })).status, 200);
  }
  await sleep(350);
  // a minute of silence has not passed: nothing fires
  for (const [group, action] of Object.entries(rules)) t.is((await policy(group, { policy: 'pull_only', silenceMs: 60_000, silenceAction: action })).status, 200);
  await dispatchOnce(stack.client, stack.db);
  t.false((await getTicket(stack, tickets.tech_team!)).body.events.some((e: { kind: string }) => e.kind === 'reminded'));
  // 300 ms has
  for (const [group, action] of Object.entries(rules)) t.is((await policy(group, { policy: 'pull_only', silenceMs: 300, silenceAction: action })).status, 200);
  await dispatchOnce(stack.client, stack.db);
  t.like(await waitForEvent(stack, tickets.tech_team!, (e) => e.kind === 'reminded'), { data: { to: 'SIL-tech_team', reason: 'holder_silent' } });
  t.like(await waitForEvent(stack, tickets.safety_group!, (e) => e.kind === 'released'), { actor: 'system', data: { agentId: 'SIL-safety_group', reason: 'holder_silent' } });
  t.like(await waitForEvent(stack, tickets.order_exception_group!, (e) => e.kind === 'notified'), { data: { to: 'supervisor_group', holder: 'SIL-order_exception_group' } });
  t.deepEqual(await holders('safety_group'), [null]);
  t.deepEqual(await holders('tech_team'), ['SIL-tech_team']);
  // once per holding: another pass reminds nobody again
  await dispatchOnce(stack.client, stack.db);
  await sleep(200);
  t.is((await getTicket(stack, tickets.tech_team!)).body.events.filter((e: { kind: string }) => e.kind === 'reminded').length, 1);
});

test.serial('two dispatchers and agents pulling at the same moment never give a ticket twice', async (t) => {
  t.is((await policy('triage', { policy: 'least_loaded' })).status, 200);
  const tokens = await Promise.all(['TW-1', 'TW-2', 'TW-3'].map((id) => agent(stack, id, ['triage'], { max: 2 })));
  const ids = await ticketsInQueue(stack, 'triage', 6);
  const pulls = tokens.map((token) => api(stack, 'POST', '/v1/me/next', { as: token }));
  const [given1, given2, ...answers] = await Promise.all([dispatchOnce(stack.client, stack.db), dispatchOnce(stack.client, stack.db), ...pulls]);
  const pulled = answers.filter((a) => a.status === 200 && a.body.assigned).length;
  t.is((given1 as number) + (given2 as number) + pulled, 6);
  const items = (await queue(stack, 'triage')).filter((i) => ids.includes(i.ticketId));
  t.true(items.every((i) => i.holder && i.confirmed));
  for (const id of ['TW-1', 'TW-2', 'TW-3']) t.is(items.filter((i) => i.holder === id).length, 2);
  for (const id of ids) t.is((await getTicket(stack, id)).body.events.filter((e: { kind: string }) => e.kind === 'assigned').length, 1, id);
});
