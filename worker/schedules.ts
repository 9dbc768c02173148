// The reconcile schedule, created by the worker at start: idempotent (an existing schedule gets the
// configured interval), one per task queue so environments sharing a namespace do not collide.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { reconcileWorkflow } from '../workflows/reconcile';

export const reconcileScheduleId = (taskQueue: string) => `reconcile-${taskQueue}`;

export async function ensureReconcileSchedule(client: Client, opts: { taskQueue: string; every: Duration }): Promise<'created' | 'updated'> {
  const scheduleId = reconcileScheduleId(opts.taskQueue);
  const spec = { intervals: [{ every: opts.every }] };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action: { type: 'startWorkflow', workflowType: reconcileWorkflow, taskQueue: opts.taskQueue, workflowId: scheduleId, args: [{}] },
      // a slow run is not doubled: the next one starts after it
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec }));
    return 'updated';
  }
}
