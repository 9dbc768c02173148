// A long ticket continues as new when Temporal suggests it: a dev server of its own with a tiny
// history threshold makes every ticket roll over, and it must still finish correctly.
import test from 'ava';
import { readDevServerConfig, freePort, startDevServer, type RunningDevServer } from '../scripts/dev-server';
import { recordHistory } from './helpers/flows';
import { startTestStack, type TestStack } from './helpers/stack';
import { confirm, orderOf, postTicket, waitForStatus } from './helpers/tickets';

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

test('a ticket that continues as new keeps its step, its events and pays once', async (t) => {
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
