// Worker versioning: a deploy routes new tickets to the new build while tickets started on the old
// build stay pinned to it and finish there (the old build drains).
import { randomUUID } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import { NativeConnection } from '@temporalio/worker';
import proto from '@temporalio/proto';
import { activitiesFromConfig, createClassifyWorker, createTicketWorker } from '../worker';
import { startTestStack, type TestStack } from './helpers/stack';
import { confirm, orderOf, postTicket, waitForStatus } from './helpers/tickets';

const { VersioningBehavior } = proto.temporal.api.enums.v1;
let stack: TestStack;
const deploymentName = `ticketflow-${randomUUID()}`;
const builds: Array<{ stop(): Promise<void> }> = [];

test.before(async () => {
  stack = await startTestStack({ worker: false, policy: { confirmationTimeout: 120_000 } });
});
test.after.always(async () => {
  for (const build of builds) await build.stop();
  await stack?.close();
});

/** The ticket and classify workers of one build, as `npm run worker` with WORKER_BUILD_ID runs them. */
async function startBuild(buildId: string) {
  const connection = await NativeConnection.connect({ address: stack.config.temporal.address });
  const common = { connection, namespace: stack.config.temporal.namespace, taskQueue: stack.config.temporal.taskQueue, activities: activitiesFromConfig(stack.config, stack.db, stack.client), dataConverter: stack.dataConverter, deployment: { name: deploymentName, buildId } };
  const workers = [await createTicketWorker({ ...common, workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH }), await createClassifyWorker({ ...common, maxConcurrent: 2 })];
  const run = Promise.all(workers.map((w) => w.run()));
  const build = {
    async stop() {
      for (const w of workers) w.shutdown();
      await run;
      await connection.close();
    },
  };
  builds.push(build);
}

/** What `temporal worker deployment set-current-version` does; the version exists once its workers have polled. */
async function makeCurrent(buildId: string) {
  for (let attempt = 0; ; attempt++) {
    try {
      await stack.client.workflowService.setWorkerDeploymentCurrentVersion({ namespace: stack.config.temporal.namespace, deploymentName, buildId, identity: 'test' });
      return;
    } catch (err) {
      if (attempt > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function versionOf(ticketId: string) {
  const described = await stack.client.workflow.getHandle(`ticket-${ticketId}`).describe();
  const info = described.raw.workflowExecutionInfo?.versioningInfo;
  return { buildId: info?.deploymentVersion?.buildId, behavior: info?.behavior };
}

async function ticketAwaitingConfirmation(t: ExecutionContext): Promise<string> {
  const order = await orderOf(stack, 'wrongful_cross_city_surcharge');
  const created = await postTicket(stack, { text: '同城订单为什么收了跨城费?', orderId: order.id, userId: order.userId });
  t.is(created.status, 201);
  const id = created.body.tickets[0].id;
  await waitForStatus(stack, id, 'awaiting_confirmation');
  return id;
}

test('a deploy routes new tickets to the new build; a running ticket stays pinned to its build and finishes there', async (t) => {
  await startBuild('v1');
  await makeCurrent('v1');
  const old = await ticketAwaitingConfirmation(t);
  t.deepEqual(await versionOf(old), { buildId: 'v1', behavior: VersioningBehavior.VERSIONING_BEHAVIOR_PINNED });

  // the deploy: the new build's workers start next to the old ones and become current
  await startBuild('v2');
  await makeCurrent('v2');
  const fresh = await ticketAwaitingConfirmation(t);
  t.deepEqual(await versionOf(fresh), { buildId: 'v2', behavior: VersioningBehavior.VERSIONING_BEHAVIOR_PINNED });

  // the old ticket drains on the old build
  t.is((await confirm(stack, old, { accepted: true })).status, 202);
  await waitForStatus(stack, old, 'closed');
  t.is((await versionOf(old)).buildId, 'v1');
});
