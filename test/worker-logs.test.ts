// The worker's logs are JSON lines with the ticket and its workflow and personal data masked: a real ticket
// runs through a worker whose runtime logger (installed at DEBUG, so the SDK's per-activity lines appear)
// writes into an array.
import test from 'ava';
import { Runtime } from '@temporalio/worker';
import { installRuntimeLogging } from '../worker';
import { startTestStack, type TestStack } from './helpers/stack';
import { orderOf, postTicket, waitForStatus } from './helpers/tickets';

const lines: string[] = [];
let stack: TestStack;
test.before(async () => {
  // before the stack: the runtime is installed once per process, the stack's own call is then a no-op
  installRuntimeLogging('DEBUG', { format: 'json', write: (line) => void lines.push(line) });
  stack = await startTestStack();
});
test.after.always(async () => {
  await stack?.close();
});

const PHONE = '13812345678';
const EMAIL = 'zhang.wei@example.com';

test('a ticket’s worker lines are JSON with ticket id, workflow and activity, and no unmasked phone or e-mail', async (t) => {
  const order = await orderOf(stack, 'waiting_fee_overcharged');
  const created = await postTicket(stack, { text: `等候费多收了,请回电 ${PHONE} 或发邮件 ${EMAIL}`, orderId: order.id, userId: order.userId });
  t.is(created.status, 201);
  const id = created.body.tickets[0].id as string;
  await waitForStatus(stack, id, 'awaiting_confirmation');
  // a line of the installed logger carrying personal data, as an activity failure would
  Runtime.instance().logger.warn(`SMS to ${PHONE} failed`, { workflowId: `ticket-${id}`, input: { email: EMAIL } });

  const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  t.true(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n')));
  for (const p of parsed) {
    t.is(typeof p.level, 'number');
    t.is(typeof p.time, 'number');
    t.is(typeof p.msg, 'string');
  }
  const workflowId = `ticket-${id}`;
  const activity = parsed.find((p) => p.ticketId === id && p.activityType === 'fetchOrder');
  t.truthy(activity, 'a line of the ticket’s fetchOrder activity');
  t.is(activity!.workflowId, workflowId);
  t.is(activity!.workflowType, 'ticketWorkflow');
  t.is(activity!.taskQueue, stack.config.temporal.taskQueue);
  t.is(typeof activity!.runId, 'string');
  t.is(activity!.taskToken, undefined);
  const workflowLine = parsed.find((p) => p.workflowId === workflowId && p.activityType === undefined);
  t.truthy(workflowLine, 'a line of the ticket workflow itself');
  t.is(workflowLine!.ticketId, id);

  const warned = parsed.find((p) => String(p.msg).startsWith('SMS to'))!;
  t.is(warned.msg, 'SMS to 138****5678 failed');
  t.is(warned.level, 40);
  t.is(warned.ticketId, id);
  const log = lines.join('');
  t.true(log.includes('z***@example.com'));
  for (const secret of [PHONE, EMAIL]) t.false(log.includes(secret), secret);
});
