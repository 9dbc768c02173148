// A long ticket continues as new when Temporal suggests it: a dev server of its own with a tiny
// history threshold makes every ticket roll over, and it must still finish correctly.
import test from 'ava';
import { readDevServerConfig, freePort, startDevServer, type RunningDevServer } from '../scripts/dev-server';
import { loadDefaultSops } from '../sops/load';
import { decide, publishSopVersion, recordHistory, waitForEvent, waitForLive, waitingForDecision } from './helpers/flows';
import { startTestStack, type TestStack } from './helpers/stack';
import { confirm, getTicket, orderOf, postTicket, waitForStatus } from './helpers/tickets';

let server: RunningDevServer;
let stack: TestStack;
test.before(async () => {
  const config = readDevServerConfig();
  server = await startDevServer(
    { ...config, port: await freePort(), database: null, headless: true, dynamicConfig: { ...config.dynamicConfig, 'limit.historyCount.suggestContinueAsNew': 40 } },
    () => {},
  );
  stack = await startTestStack({ temporalAddress: server.address, policy: { confirmationTimeout: 30_000 } });
});
test.after.always(async () => {
  await stack?.close();
  await server?.stop();
});

test.serial('a ticket that continues as new keeps its step, its events and pays once', async (t) => {
  const order = await orderOf(stack, 'wrongful_cross_city_surcharge');
  const created = await postTicket(stack, { text: '同城订单收了跨城费', orderId: order.id, userId: order.userId });
  const ticket = created.body.tickets[0];
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  await confirm(stack, ticket.id, { accepted: true });
  const closed = await waitForStatus(stack, ticket.id, 'closed');

  const runs: string[] = [];
  for await (const execution of stack.client.workflow.list({ query: `WorkflowId = "${ticket.workflowId}"` })) runs.push(execution.runId);
  t.true(runs.length >= 2, `expected several runs, got ${runs.length}`);
  t.deepEqual(closed.events.map((e: { seq: number }) => e.seq), closed.events.map((_: unknown, i: number) => i));
  t.is((await stack.finance.listRefunds({ ticketId: ticket.id })).length, 1);
  t.like(closed.live, { status: 'closed' });
  // the last run: it starts from a resumed context, which the replay test then checks
  await recordHistory(stack, 'continue-as-new', ticket.workflowId);
});

test.serial('a ticket going round the built-in hand-off continues as new and the supervisors can still close it', async (t) => {
  const triage = loadDefaultSops().find((d) => d.type === 'triage')!;
  const document = {
    type: 'triage', name: { zh: '测试', en: 'Test' }, appliesTo: triage.appliesTo, start: 'pay',
    steps: {
      pay: { kind: 'action', owner: 'system', action: 'issueRefund', input: { orderId: 'ORD-999999', amountFen: 100, reason: 'test' }, next: 'done' },
      done: { kind: 'close', owner: 'system', resolution: 'resolved' },
    },
  };
  t.is((await publishSopVersion(stack, 'triage', document)).status, 201);
  const ticket = (await postTicket(stack, { text: '你好,在吗?', userId: 'U-can' })).body.tickets[0];
  const runsOf = async () => {
    const runs: string[] = [];
    for await (const execution of stack.client.workflow.list({ query: `WorkflowId = "${ticket.workflowId}"` })) runs.push(execution.runId);
    return runs.length;
  };
  // each retry fails again and lands in the hand-off again, until the history is long enough to roll over
  let failures = 0;
  for (let i = 0; i < 12 && (await runsOf()) < 2; i++) {
    const failed = await waitForEvent(stack, ticket.id, (e) => e.kind === 'failed' && e.seq > failures);
    failures = failed.seq;
    await waitForLive(stack, ticket.id, (l) => l.step === '$handoff' && waitingForDecision('supervisor_group')(l));
    t.is((await decide(stack, ticket.id, { decision: 'retry', agentId: 'SUP-1' })).status, 202);
  }
  t.true((await runsOf()) >= 2, 'the ticket continued as new');
  const live = await waitForLive(stack, ticket.id, (l) => l.step === '$handoff' && waitingForDecision('supervisor_group')(l));
  t.deepEqual(live.waitingFor.decisions, ['retry', 'close']);
  t.is((await decide(stack, ticket.id, { decision: 'close', agentId: 'SUP-2', note: 'done by hand' })).status, 202);
  const closed = await waitForStatus(stack, ticket.id, 'closed');
  t.like(closed.ticket.resolution, { code: 'closed_after_escalation', step: 'pay', decidedBy: 'SUP-2' });
  const body = (await getTicket(stack, ticket.id)).body;
  t.deepEqual(body.events.map((e: { seq: number }) => e.seq), body.events.map((_: unknown, i: number) => i));
});
