// A worker process killed (SIGKILL) while its ticket waits for the user: a new worker picks the
// ticket up where it was, and the refund is issued exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import test from 'ava';
import { projectRoot } from '../config';
import { startTestStack, type TestStack } from './helpers/stack';
import { confirm, orderOf, postTicket, waitForStatus } from './helpers/tickets';

let stack: TestStack;
const workers: ChildProcess[] = [];

test.before(async () => {
  stack = await startTestStack({ worker: false });
});
test.after.always(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await stack?.close();
});

/** Starts `worker/main.ts` as its own process on this test's task queue; resolves once it polls. */
function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'worker', 'main.ts')], {
    cwd: projectRoot,
    env: {
      ...process.env,
      TEMPORAL_TASK_QUEUE: stack.config.temporal.taskQueue,
      USER_TOKEN_SECRET: stack.config.credentials.userTokenSecret,
      DATABASE_URL: stack.config.databaseUrl,
      ORDER_API_URL: stack.sandbox.orderApiUrl,
      FINANCE_API_URL: stack.sandbox.financeApiUrl,
      SMS_API_URL: stack.sandbox.smsApiUrl,
      USER_API_URL: stack.sandbox.userApiUrl,
      CONFIRMATION_TIMEOUT_MS: '120000',
      SOP_POLICY_OVERRIDES: JSON.stringify({ reopenWindow: 0 }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workers.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker polling')) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before polling:\n${output}`)));
  });
}

test('a ticket survives its worker being killed mid-wait and completes with one refund', async (t) => {
  const order = await orderOf(stack, 'wrongful_cross_city_surcharge');
  const first = await startWorkerProcess();
  const created = await postTicket(stack, { text: '同城订单为什么收了跨城费?', orderId: order.id, userId: order.userId });
  t.is(created.status, 201);
  const ticketId = created.body.tickets[0].id;
  await waitForStatus(stack, ticketId, 'awaiting_confirmation');

  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));

  // with no worker the answer cannot be taken in time: the caller is told to send it again
  const whileDown = await confirm(stack, ticketId, { accepted: true });
  t.is(whileDown.status, 503);
  t.is(whileDown.body.error, 'worker_unavailable');

  await startWorkerProcess();
  // the repeat joins the first attempt: one answer, whatever the second one says
  const answer = await confirm(stack, ticketId, { accepted: false });
  t.is(answer.status, 202);
  t.is(answer.body.accepted, true);
  const closed = await waitForStatus(stack, ticketId, 'closed', 30_000);
  t.like(closed.ticket.resolution, { code: 'resolved', solution: { kind: 'refund' } });
  const refunds = await stack.finance.listRefunds({ ticketId });
  t.is(refunds.length, 1);
  t.is(refunds[0]!.amount, order.fees.filter((f) => f.code === 'cross_city_surcharge').reduce((s, f) => s + f.amount, 0));
  // every event written once, in order, across both workers
  t.deepEqual(closed.events.map((e: { seq: number }) => e.seq), closed.events.map((_: unknown, i: number) => i));
});
