// The reconciler on the real stack: each kind of drift is created for real (a row edited behind a
// finished workflow, a terminated ticket workflow, tickets stored by an intake that never started
// their workflows, an intake terminated before it ran), then the reconcile workflow runs directly. A dead or
// missing workflow's ticket is started again in the supervisors' hand-off: they retry it (the procedure runs
// from its start; money already paid is not paid again) or close it.
import { randomUUID } from 'node:crypto';
import test from 'ava';
import { eq, inArray } from 'drizzle-orm';
import { createStoreActivities } from '../activities/store';
import { tickets } from '../schema';
import { ensureReconcileSchedule, reconcileScheduleId } from '../worker/schedules';
import { intakeWorkflow } from '../workflows';
import { reconcileWorkflow } from '../workflows/reconcile';
import { decide, recordHistory, waitForLive, waitingForDecision } from './helpers/flows';
import { ledgerOf } from './helpers/money';
import { startTestStack, type TestStack } from './helpers/stack';
import { api, confirm, getRequest, getTicket, orderOf, postTicket, waitForStatus } from './helpers/tickets';

let stack: TestStack;

test.before(async () => {
  stack = await startTestStack({ policy: { confirmationTimeout: 120_000 } });
});
test.after.always(async () => {
  await stack?.close();
});

const used = new Set<string>();
async function ticketAwaitingConfirmation(): Promise<string> {
  const order = await orderOf(stack, 'wrongful_cross_city_surcharge', (o) => !used.has(o.id));
  used.add(order.id);
  const created = await postTicket(stack, { text: '同城订单为什么收了跨城费?', orderId: order.id, userId: order.userId });
  const id = created.body.tickets[0].id;
  await waitForStatus(stack, id, 'awaiting_confirmation');
  return id;
}

/** A ticket row as an intake stores it, before the intake starts its workflow. */
async function storedWithoutWorkflow(requestId: string): Promise<string> {
  const id = randomUUID();
  await createStoreActivities(stack.db).createTickets({
    request: { requestId, text: '等候费多收了', userId: 'U-lost', channel: 'app', userTier: 'standard', receivedAt: new Date().toISOString() },
    language: 'zh',
    tickets: [
      { id, workflowId: `ticket-${id}`, category: 'fee_dispute', subtype: 'waiting_fee', skillGroup: 'billing_group', priority: 3, priorityFactors: [], status: 'open', issueText: '等候费多收了', language: 'zh', sopType: 'fee_dispute', sopVersion: 1, claim: { namedItems: [], amountsFen: [] } },
    ],
  });
  return id;
}

const runReconcile = () =>
  stack.client.workflow.execute(reconcileWorkflow, { taskQueue: stack.config.temporal.taskQueue, workflowId: `reconcile-${randomUUID()}`, args: [{ minAgeMs: 0 }] });

test.serial('the reconciler repairs each kind of drift once and reports it, and a failed intake answers "failed"', async (t) => {
  // 1. a finished workflow whose row lost its last writes
  const finished = await ticketAwaitingConfirmation();
  t.is((await confirm(stack, finished, { accepted: true })).status, 202);
  await waitForStatus(stack, finished, 'closed');
  await stack.db.update(tickets).set({ status: 'in_progress', resolution: null, closedAt: null }).where(eq(tickets.id, finished));

  // 2. a ticket workflow terminated by an operator: nobody could act on the ticket any more
  const terminated = await ticketAwaitingConfirmation();
  await stack.client.workflow.getHandle(`ticket-${terminated}`).terminate('operator mistake');

  // 3. tickets stored by an intake that died before starting their workflows
  const missing = await storedWithoutWorkflow(randomUUID());

  // 4. an intake that ended without tickets (terminated before its first task ran)
  // request ids carry the caller: this one belongs to the stack's service key, which reads it below
  const failedRequest = `${(await api(stack, 'GET', '/v1/me')).body.id}~${randomUUID()}`;
  const intake = await stack.client.workflow.start(intakeWorkflow, {
    taskQueue: stack.config.temporal.taskQueue,
    workflowId: `intake-${failedRequest}`,
    args: [{ requestId: failedRequest, text: '过路费收了两次', userId: 'U-x', channel: 'app', userTier: 'standard', receivedAt: new Date().toISOString() }],
    startDelay: '1 hour',
  });
  t.is((await getRequest(stack, failedRequest)).body.status, 'processing');
  await intake.terminate('stuck');
  const failed = await getRequest(stack, failedRequest);
  t.is(failed.status, 200);
  t.like(failed.body, { status: 'failed', tickets: [] });
  t.regex(failed.body.reason, /terminated/);

  const report = await runReconcile();
  t.is(report.checked, 3);
  const byTicket = Object.fromEntries(report.repaired.map((r) => [r.ticketId, r]));
  t.deepEqual(Object.keys(byTicket).sort(), [finished, terminated, missing].sort());
  t.like(byTicket[finished], { kind: 'finished_open_row', rowStatus: 'in_progress', applied: true, outcome: { status: 'closed' } });
  t.like(byTicket[terminated], { kind: 'dead_workflow', rowStatus: 'awaiting_confirmation', workflowStatus: 'terminated', applied: true });
  t.like(byTicket[missing], { kind: 'missing_workflow', rowStatus: 'open', applied: true });
  t.deepEqual(report.failedIntakes.map((f) => [f.requestId, f.status]), [[failedRequest, 'terminated']]);

  const rows = Object.fromEntries((await stack.db.select().from(tickets).where(inArray(tickets.id, [finished, terminated, missing]))).map((r) => [r.id, r]));
  // the row takes the workflow's own result
  t.is(rows[finished]!.status, 'closed');
  t.like(rows[finished]!.resolution, { code: 'resolved', solution: { kind: 'refund' } });
  t.deepEqual(rows[finished]!.closedAt, (await stack.client.workflow.getHandle(`ticket-${finished}`).describe()).closeTime);
  // dead or missing workflows: handed to supervisors with the reason, and started again for them
  for (const [id, reason, previousStatus] of [[terminated, 'workflow_terminated', 'awaiting_confirmation'], [missing, 'workflow_missing', 'open']] as const) {
    t.is(rows[id]!.status, 'escalated');
    t.is(rows[id]!.skillGroup, 'supervisor_group');
    t.like(rows[id]!.resolution, { code: 'escalated', reason, toGroup: 'supervisor_group', previousStatus, restarted: true });
    const live = await waitForLive(stack, id, (l) => l.step === '$handoff' && waitingForDecision('supervisor_group')(l));
    t.deepEqual(live.waitingFor.decisions, ['retry', 'close']);
    const { events } = (await getTicket(stack, id)).body;
    const seqs = events.map((e: { seq: number }) => e.seq);
    t.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    t.is(new Set(seqs).size, seqs.length, 'the new run writes after the earlier events');
    const handedOver = events.find((e: { kind: string; data: { recovered?: boolean } }) => e.kind === 'escalated' && e.data.recovered);
    t.like(handedOver, { data: { to: 'supervisor_group', reason, previousStatus, recovered: true } });
    const entered = events.find((e: { step: string; kind: string }) => e.step === '$handoff' && e.kind === 'entered');
    t.regex(entered.data.task.en, id === missing ? /^The ticket's procedure stopped \(workflow_missing\)\. Choose retry to run it again from step fetch_order/ : /^The ticket's procedure stopped at step \w+ \(workflow_terminated\)/);
  }
  t.is((await stack.client.workflow.getHandle(`ticket-${terminated}`).describe()).status.name, 'RUNNING');

  // the terminated ticket: its refund went through before the workflow died; the supervisor retries, the
  // procedure proposes again, the user accepts, and finance still holds one refund
  const [row] = await stack.db.select().from(tickets).where(eq(tickets.id, terminated));
  const order = { id: row!.orderId!, userId: row!.userId };
  const proposed = (await getTicket(stack, terminated)).body.events.find((e: { step: string; kind: string }) => e.step === 'match_solution' && e.kind === 'completed');
  const refundFen = proposed.data.result.solution.amountFen as number;
  await stack.finance.issueRefund({ orderId: order.id, amount: refundFen, reason: 'paid before the workflow died', ticketId: terminated, cause: 'overcharge' }, `money:${order.id}:overcharge:1`);
  t.is((await decide(stack, terminated, { decision: 'retry', agentId: 'SUP-1' })).status, 202);
  await waitForStatus(stack, terminated, 'awaiting_confirmation');
  t.is((await confirm(stack, terminated, { accepted: true })).status, 202);
  await waitForStatus(stack, terminated, 'closed');
  t.like(await ledgerOf(stack, order), { refundCount: 1, refundsFen: refundFen });
  await recordHistory(stack, 'ticket-recovered-retry', `ticket-${terminated}`);

  // the missing one: the supervisor closes it with a note
  t.is((await decide(stack, missing, { decision: 'close', agentId: 'SUP-1', note: 'called the user, nothing was owed' })).status, 202);
  const closed = await waitForStatus(stack, missing, 'closed');
  t.like(closed.ticket.resolution, { code: 'closed_after_escalation', reason: 'workflow_missing', note: 'called the user, nothing was owed' });

  // a second run finds nothing left to repair
  const again = await runReconcile();
  t.is(again.checked, 0);
  t.deepEqual(again.repaired, []);
});

test.serial('a ticket is started again once: if its new run dies too, the reconciler only marks it', async (t) => {
  const id = await ticketAwaitingConfirmation();
  await stack.client.workflow.getHandle(`ticket-${id}`).terminate('operator mistake');
  t.like((await runReconcile()).repaired.find((r) => r.ticketId === id), { kind: 'dead_workflow', applied: true });
  await waitForLive(stack, id, (l) => l.step === '$handoff' && waitingForDecision('supervisor_group')(l));
  const recovered = await stack.client.workflow.getHandle(`ticket-${id}`).describe();

  await stack.client.workflow.getHandle(`ticket-${id}`).terminate('again');
  t.like((await runReconcile()).repaired.find((r) => r.ticketId === id), { kind: 'dead_workflow', rowStatus: 'escalated', workflowStatus: 'terminated', applied: true });
  const [row] = await stack.db.select().from(tickets).where(eq(tickets.id, id));
  t.like(row!.resolution, { reason: 'workflow_terminated', reconciled: true });
  const latest = await stack.client.workflow.getHandle(`ticket-${id}`).describe();
  t.is(latest.runId, recovered.runId, 'no third run');
  t.is(latest.status.name, 'TERMINATED');
  t.false((await runReconcile()).repaired.some((r) => r.ticketId === id), 'a marked row is not checked again');
});

test.serial('a ticket whose intake has not started it yet is not missing; once that intake has ended without starting it, it is', async (t) => {
  const requestId = `${(await api(stack, 'GET', '/v1/me')).body.id}~${randomUUID()}`;
  const intake = await stack.client.workflow.start(intakeWorkflow, {
    taskQueue: stack.config.temporal.taskQueue,
    workflowId: `intake-${requestId}`,
    args: [{ requestId, text: '等候费多收了', userId: 'U-lost', channel: 'app', userTier: 'standard', receivedAt: new Date().toISOString() }],
    startDelay: '1 hour', // a backlog: the intake has stored its ticket and not run since
  });
  const id = await storedWithoutWorkflow(requestId);
  const first = await runReconcile();
  t.is(first.checked, 1);
  t.deepEqual(first.repaired, []);
  await intake.terminate('stuck');
  t.like((await runReconcile()).repaired.find((r) => r.ticketId === id), { kind: 'missing_workflow', applied: true });
  await waitForLive(stack, id, (l) => l.step === '$handoff' && waitingForDecision('supervisor_group')(l));
});

test.serial('the worker creates the reconcile schedule idempotently and keeps its interval up to date', async (t) => {
  const taskQueue = stack.config.temporal.taskQueue;
  t.is(await ensureReconcileSchedule(stack.client, { taskQueue, every: '30 minutes' }), 'created');
  t.is(await ensureReconcileSchedule(stack.client, { taskQueue, every: '10 minutes' }), 'updated');
  const handle = stack.client.schedule.getHandle(reconcileScheduleId(taskQueue));
  try {
    const described = await handle.describe();
    t.deepEqual(described.spec.intervals?.map((i) => i.every), [10 * 60 * 1000]);
    t.like(described.action, { type: 'startWorkflow', workflowType: 'reconcileWorkflow', taskQueue });
  } finally {
    await handle.delete();
  }
});
