// Holders through the real ticket workflow: pulling, assigning, transferring, releasing, and who may
// decide (the holder, or a supervisor acting for them); each change is a ticket event.
import os from 'node:os';
import test from 'ava';
import { buildApp } from '../api/app';
import { openDatabase } from '../schema';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { decideUpdate } from '../workflows/definitions';
import { repairClaims } from '../dispatch/assign';
import { claimNext } from '../schema/dispatch-repository';
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

test.serial('pull, refuse others, transfer, release, and a supervisor deciding for the holder', async (t) => {
  const ann = await agent(stack, 'H-ann', ['general_group']);
  const bob = await agent(stack, 'H-bob', ['general_group']);
  const sup = await agent(stack, 'H-sup', ['supervisor_group', 'general_group'], { role: 'supervisor' });
  const [id] = await ticketsInQueue(stack, 'general_group', 1);
  const before = (await queue(stack, 'general_group')).find((i) => i.ticketId === id)!;
  t.like(before, { holder: null, step: 'handle' });
  t.true(before.remainingMs! > 3_000_000 && before.remainingMs! <= 3_600_000);

  const pulled = await api(stack, 'POST', '/v1/me/next', { as: ann });
  t.is(pulled.status, 200, JSON.stringify(pulled.body));
  t.like(pulled.body, { agentId: 'H-ann', assigned: { ticketId: id, group: 'general_group' } });
  t.like((await queue(stack, 'general_group')).find((i) => i.ticketId === id), { holder: 'H-ann', confirmed: true });
  t.like((await getTicket(stack, id)).body.live.holder, { agentId: 'H-ann', assignmentId: pulled.body.assigned.assignmentId });
  // nothing else queued: the next pull answers without a ticket
  t.like((await api(stack, 'POST', '/v1/me/next', { as: bob })).body, { assigned: null });

  // another agent may neither decide nor take it
  const refused = await decide(stack, id, { decision: 'done', agentId: 'H-bob' }, bob);
  t.is(refused.status, 403);
  t.regex(refused.body.message, /held by H-ann/);
  const taken = await api(stack, 'POST', `/v1/tickets/${id}/assign`, { as: bob, payload: {} });
  t.is(taken.status, 409);
  t.regex(taken.body.message, /held by H-ann/);
  // the workflow itself refuses too, whoever asks it directly
  const direct = await stack.client.workflow.getHandle(`ticket-${id}`).executeUpdate(decideUpdate, { args: [{ decision: 'done', agentId: 'H-bob' }] }).catch((err) => err);
  t.true(direct instanceof WorkflowUpdateFailedError);
  t.regex(String(direct.cause?.message), /held by H-ann/);
  // an agent cannot pull for someone else
  t.is((await api(stack, 'POST', '/v1/agents/H-ann/next', { as: bob })).status, 403);

  // the holder transfers to bob; only bob's list shows it
  const moved = await api(stack, 'POST', `/v1/tickets/${id}/transfer`, { as: ann, payload: { to: 'H-bob', reason: '他更熟悉' } });
  t.is(moved.status, 200, JSON.stringify(moved.body));
  t.is(moved.body.holder.agentId, 'H-bob');
  t.deepEqual((await api(stack, 'GET', '/v1/agents/H-bob/tickets', { as: bob })).body.items.map((i: { ticketId: string }) => i.ticketId), [id]);
  t.deepEqual((await api(stack, 'GET', '/v1/agents/H-ann/tickets', { as: ann })).body.items, []);
  t.is((await api(stack, 'GET', '/v1/agents/H-bob/tickets', { as: ann })).status, 403);
  // ann no longer holds it: she cannot release it
  t.is((await api(stack, 'POST', `/v1/tickets/${id}/release`, { as: ann, payload: {} })).status, 403);
  t.is((await api(stack, 'POST', `/v1/tickets/${id}/release`, { as: bob, payload: { reason: '需要主管' } })).status, 200);
  t.like((await queue(stack, 'general_group')).find((i) => i.ticketId === id), { holder: null });

  // a supervisor gives it to ann and decides for her
  const given = await api(stack, 'POST', `/v1/tickets/${id}/assign`, { as: sup, payload: { agentId: 'H-ann' } });
  t.is(given.status, 200, JSON.stringify(given.body));
  t.is((await decide(stack, id, { decision: 'done', agentId: 'H-sup' }, sup)).status, 202);
  const closed = await waitForStatus(stack, id, 'closed');
  const decided = closed.events.find((e: { kind: string }) => e.kind === 'decided');
  t.like(decided, { actor: 'agent:H-sup', data: { agentId: 'H-sup', actingFor: 'H-ann' } });
  t.deepEqual(
    closed.events.filter((e: { kind: string }) => ['assigned', 'transferred', 'released'].includes(e.kind)).map((e: { kind: string; actor: string }) => `${e.kind}:${e.actor}`),
    ['assigned:agent:H-ann', 'transferred:agent:H-ann', 'released:agent:H-bob', 'assigned:agent:H-sup'],
  );
  t.false((await queue(stack, 'general_group')).some((i) => i.ticketId === id));
  t.deepEqual((await api(stack, 'GET', '/v1/agents/H-ann/tickets', { as: ann })).body.items, []);
  await recordHistory(stack, 'dispatch-holders', `ticket-${id}`);
});

test.serial('a ticket nobody holds may be decided by any agent (as before holders existed)', async (t) => {
  const [id] = await ticketsInQueue(stack, 'general_group', 1);
  t.is((await decide(stack, id, { decision: 'done', agentId: 'H-free' })).status, 202);
  await waitForStatus(stack, id, 'closed');
  t.false((await queue(stack, 'general_group')).some((i) => i.ticketId === id));
});

test.serial('capacity: an agent at their maximum pulls nothing more', async (t) => {
  const cap = await agent(stack, 'H-cap', ['fee_group'], { max: 1 });
  const ids = await ticketsInQueue(stack, 'fee_group', 2);
  const first = await api(stack, 'POST', '/v1/me/next', { as: cap });
  t.true(ids.includes(first.body.assigned.ticketId));
  const second = await api(stack, 'POST', '/v1/me/next', { as: cap });
  t.is(second.status, 409);
  t.like(second.body, { error: 'at_capacity' });
  t.regex(second.body.message, /holds 1 of at most 1/);
  t.is((await queue(stack, 'fee_group')).filter((i) => i.holder === null).length, 1);
  // an agent of another group cannot be given it, nor can an agent change their own capacity
  const other = await agent(stack, 'H-other', ['claims_group']);
  const left = ids.find((i) => i !== first.body.assigned.ticketId)!;
  t.like((await api(stack, 'POST', `/v1/tickets/${left}/assign`, { as: other, payload: {} })).body, { error: 'not_skilled' });
  t.is((await api(stack, 'PATCH', '/v1/agents/H-cap', { as: cap, payload: { maxConcurrent: 9 } })).status, 403);
  t.is((await api(stack, 'PATCH', '/v1/agents/H-cap', { as: cap, payload: { status: 'away' } })).status, 200);
});

test.serial('an assignment sent twice (the same assignment id) is taken once; another is refused', async (t) => {
  await agent(stack, 'H-twice', ['qa_group']);
  const [id] = await ticketsInQueue(stack, 'qa_group', 1);
  const handle = stack.client.workflow.getHandle(`ticket-${id}`);
  const { assignUpdate } = await import('../workflows/definitions');
  const send = () => handle.executeUpdate(assignUpdate, { args: [{ agentId: 'H-twice', assignmentId: 'asg_fixed', by: 'dispatcher' }], updateId: 'asg_fixed' });
  await send();
  await send();
  const other = await handle.executeUpdate(assignUpdate, { args: [{ agentId: 'H-else', assignmentId: 'asg_other', by: 'dispatcher' }] }).catch((err) => err);
  t.regex(String(other.cause?.message), /held by H-twice/);
  await waitForEvent(stack, id, (e) => e.kind === 'assigned');
  const events = (await getTicket(stack, id)).body.events.filter((e: { kind: string }) => e.kind === 'assigned');
  t.is(events.length, 1);
  t.like((await queue(stack, 'qa_group')).find((i) => i.ticketId === id), { holder: 'H-twice', confirmed: true });
});

test.serial('a claim whose process died before the assign update is repaired: sent again, or dropped when the ticket moved on', async (t) => {
  await agent(stack, 'H-crash', ['tech_team']);
  const [kept, gone] = await ticketsInQueue(stack, 'tech_team', 2);
  // two claims in the database and no update sent: as if the API process crashed right after each claim
  const first = await claimNext(stack.db, 'H-crash');
  const second = await claimNext(stack.db, 'H-crash');
  t.is(first.kind, 'claimed');
  t.is(second.kind, 'claimed');
  const claimedIds = [first, second].map((c) => (c as { ticketId: string }).ticketId).sort();
  t.deepEqual(claimedIds, [kept, gone].sort());
  t.false((await getTicket(stack, kept!)).body.events.some((e: { kind: string }) => e.kind === 'assigned'));
  // one of them is decided meanwhile by someone else (nobody holds it in the workflow)
  t.is((await decide(stack, gone!, { decision: 'done', agentId: 'H-else' })).status, 202);
  await waitForStatus(stack, gone!, 'closed');
  t.is(await repairClaims(stack.client, stack.db, 0), 1);
  t.like((await getTicket(stack, kept!)).body.live.holder, { agentId: 'H-crash' });
  t.like((await queue(stack, 'tech_team')).find((i) => i.ticketId === kept), { holder: 'H-crash', confirmed: true });
  t.false((await queue(stack, 'tech_team')).some((i) => i.ticketId === gone));
  t.is(await repairClaims(stack.client, stack.db, 0), 0);
});

test.serial('concurrent pulls through two API processes and the workflows: every ticket assigned once, the queue and the workflow agree', async (t) => {
  const agents = await Promise.all(Array.from({ length: 6 }, (_, i) => agent(stack, `CP-${i}`, ['safety_group'], { max: 2 })));
  const ids = await ticketsInQueue(stack, 'safety_group', 8);
  // a second API process: its own app and its own database pool, as another replica would have
  const otherDb = await openDatabase({ databaseUrl: stack.config.databaseUrl!, dataDir: os.tmpdir(), poolSize: 4 });
  const otherApp = await buildApp({ temporal: { client: stack.client, connection: stack.connection }, db: otherDb.db, ping: otherDb.ping, config: stack.config });
  const viaOther = async (token: string) => {
    const response = await otherApp.inject({ method: 'POST', url: '/v1/me/next', headers: { authorization: `Bearer ${token}` } });
    return { status: response.statusCode, body: response.json() };
  };
  // 6 agents × 3 pulls at once, through both APIs = 18 pulls for 8 tickets (capacity 12)
  const answers = await Promise.all(agents.flatMap((token, i) => Array.from({ length: 3 }, (_, j) => ((i + j) % 2 ? viaOther(token) : api(stack, 'POST', '/v1/me/next', { as: token })))));
  await otherApp.close();
  await otherDb.close();
  const assigned = answers.filter((a) => a.status === 200 && a.body.assigned).map((a) => a.body.assigned.ticketId as string);
  t.is(assigned.length, 8, JSON.stringify(answers.map((a) => [a.status, a.body?.error])));
  t.deepEqual([...assigned].sort(), [...ids].sort());
  t.true(answers.every((a) => a.status === 200 || a.body.error === 'at_capacity'));
  const items = await queue(stack, 'safety_group');
  for (const id of ids) {
    const { body } = await getTicket(stack, id);
    t.is(body.events.filter((e: { kind: string }) => e.kind === 'assigned').length, 1, id);
    t.is(items.find((i) => i.ticketId === id)!.holder, body.live.holder.agentId);
  }
  const perAgent = new Map<string, number>();
  for (const i of items) perAgent.set(i.holder!, (perAgent.get(i.holder!) ?? 0) + 1);
  t.true([...perAgent.values()].every((n) => n <= 2));
});

test.serial('a supervisor reassigns a held ticket to another agent, over their capacity', async (t) => {
  const full = await agent(stack, 'RA-full', ['claims_group'], { max: 1 });
  const holder = await agent(stack, 'RA-holder', ['claims_group']);
  const sup = await agent(stack, 'RA-sup', ['supervisor_group'], { role: 'supervisor' });
  const [a, b] = await ticketsInQueue(stack, 'claims_group', 2);
  t.is((await api(stack, 'POST', `/v1/tickets/${a}/assign`, { as: full, payload: {} })).status, 200);
  t.is((await api(stack, 'POST', `/v1/tickets/${b}/assign`, { as: holder, payload: {} })).status, 200);
  // the holder may not push it onto a full agent; the supervisor may
  t.like((await api(stack, 'POST', `/v1/tickets/${b}/transfer`, { as: holder, payload: { to: 'RA-full' } })).body, { error: 'at_capacity' });
  const moved = await api(stack, 'POST', `/v1/tickets/${b}/transfer`, { as: sup, payload: { to: 'RA-full', reason: '客户要求' } });
  t.is(moved.status, 200, JSON.stringify(moved.body));
  t.like(await waitForEvent(stack, b!, (e) => e.kind === 'transferred'), { actor: 'agent:RA-sup', data: { from: 'RA-holder', to: 'RA-full', by: 'RA-sup' } });
  t.is((await decide(stack, b!, { decision: 'done', agentId: 'RA-holder' }, holder)).status, 403);
  t.is((await decide(stack, b!, { decision: 'done', agentId: 'RA-full' }, full)).status, 202);
});

test.serial("the holder escalates to the supervisors' queue: the clock stops, nobody holds it, a supervisor decides", async (t) => {
  const esc = await agent(stack, 'ES-holder', ['order_exception_group']);
  const other = await agent(stack, 'ES-other', ['order_exception_group']);
  const sup = await agent(stack, 'ES-sup', ['supervisor_group'], { role: 'supervisor' });
  // the SLA leaves room for the assign and escalate calls below on a busy machine; the wait further down passes it
  const slaMs = 1_500;
  const started = Date.now();
  const [id] = await ticketsInQueue(stack, 'order_exception_group', 1, { sla: slaMs });
  t.is((await api(stack, 'POST', `/v1/tickets/${id}/assign`, { as: esc, payload: {} })).status, 200);
  const refused = await api(stack, 'POST', `/v1/tickets/${id}/escalate`, { as: other, payload: { reason: '不是我的' } });
  t.is(refused.status, 403);
  t.regex(refused.body.message, /held by ES-holder/);
  const escalated = await api(stack, 'POST', `/v1/tickets/${id}/escalate`, { as: esc, payload: { reason: '用户要求赔偿超出权限' } });
  t.is(escalated.status, 200, JSON.stringify(escalated.body));
  t.is(escalated.body.holder, null);
  t.like((await getTicket(stack, id)).body, { ticket: { status: 'escalated', skillGroup: 'supervisor_group' }, live: { waitingFor: { group: 'supervisor_group', until: null } } });
  t.like((await queue(stack, 'supervisor_group')).find((i) => i.ticketId === id), { holder: null, deadline: null, breached: false }, "an agent's escalation is not an SLA breach");
  t.false((await queue(stack, 'order_exception_group')).some((i) => i.ticketId === id));
  t.is((await api(stack, 'POST', `/v1/tickets/${id}/escalate`, { as: sup, payload: { reason: 'again' } })).status, 409);
  await new Promise((r) => setTimeout(r, Math.max(0, started + slaMs + 200 - Date.now()))); // past the step's SLA: no breach, the clock stopped
  t.false((await getTicket(stack, id)).body.events.some((e: { kind: string }) => e.kind === 'sla_breached'));
  t.is((await decide(stack, id, { decision: 'done', agentId: 'ES-sup' }, sup)).status, 202);
  const closed = await waitForStatus(stack, id, 'closed');
  t.like(closed.events.find((e: { kind: string }) => e.kind === 'escalated'), { actor: 'agent:ES-holder', data: { to: 'supervisor_group', reason: '用户要求赔偿超出权限', by: 'ES-holder' } });
});
