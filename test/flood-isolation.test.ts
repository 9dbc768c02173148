// Under a flood of intake the rest keeps working: classification runs on its own task queue (its
// own worker and concurrency limit), and an API process sheds intakes past its bound with 503 +
// Retry-After instead of letting latency grow. (The p99 numbers under a flood: bench/flood.bench.ts.)
import test from 'ava';
import { loadConfig } from '../config';
import { recordHistory } from './helpers/flows';
import { startTestStack, type TestStack } from './helpers/stack';
import { postTicket } from './helpers/tickets';

let stack: TestStack;

test.before(async () => {
  stack = await startTestStack({ intakeMaxInFlight: 1 });
});
test.after.always(async () => {
  await stack?.close();
});

test.serial('intakes past the bound are shed with 503 and Retry-After; the slot is free again afterwards', async (t) => {
  const answers = await Promise.all(['等候费多收了', '过路费收了两次', 'APP一直闪退'].map((text) => postTicket(stack, { text })));
  t.deepEqual(answers.map((a) => a.status).sort(), [201, 503, 503]);
  for (const shed of answers.filter((a) => a.status === 503)) {
    t.is(shed.body.error, 'overloaded');
    t.is(shed.headers['retry-after'], '1');
  }
  const later = await postTicket(stack, { text: '司机态度恶劣' });
  t.is(later.status, 201);
});

test.serial("the intake's classification runs as an activity on the classify task queue, not in the workflow worker", async (t) => {
  const created = await postTicket(stack, { text: '等候费多收了,我只等了25分钟' });
  t.is(created.status, 201);
  const intakeId = `intake-${created.body.requestId}`;
  const history = await stack.client.workflow.getHandle(intakeId).fetchHistory();
  const scheduled = history.events!.map((e) => e.activityTaskScheduledEventAttributes).filter((a) => a?.activityType?.name === 'classifyIntake');
  t.deepEqual(scheduled.map((a) => a!.taskQueue?.name), [`${stack.config.temporal.taskQueue}-classify`]);
  // the other intake steps stay local activities (markers), classification is no longer one of them
  const markers = history.events!.map((e) => e.markerRecordedEventAttributes?.markerName).filter(Boolean);
  t.deepEqual(markers, ['core_patch', 'core_local_activity', 'core_local_activity']);
  await recordHistory(stack, 'intake-classify-task-queue', intakeId);
});

test.serial('npm run worker runs the ticket worker, the classify worker or both, as WORKER_ROLES says', (t) => {
  const saved = process.env.WORKER_ROLES;
  try {
    delete process.env.WORKER_ROLES;
    t.deepEqual(loadConfig().worker.roles, ['tickets', 'classify']);
    process.env.WORKER_ROLES = 'classify';
    t.deepEqual(loadConfig().worker.roles, ['classify']);
    process.env.WORKER_ROLES = 'tickets, classify';
    t.deepEqual(loadConfig().worker.roles, ['tickets', 'classify']);
    process.env.WORKER_ROLES = 'tickets,billing';
    t.throws(() => loadConfig(), { message: /WORKER_ROLES takes tickets and\/or classify, got "billing"/ });
  } finally {
    if (saved === undefined) delete process.env.WORKER_ROLES;
    else process.env.WORKER_ROLES = saved;
  }
});
