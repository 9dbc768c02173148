// The schedules the worker creates at start (reconcile, anomaly detection): idempotent (an existing schedule
// gets the configured interval), one per task queue so environments sharing a namespace do not collide.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import type { AnomalyParams } from '../domain/anomaly';
import { anomalyWorkflow, type AnomalyInput } from '../workflows/anomaly';
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

export const anomalyScheduleId = (taskQueue: string) => `anomaly-${taskQueue}`;

/**
 * The anomaly detection schedule (workflows/anomaly.ts), created like the reconcile one. The detection's
 * parameters travel in the action's arguments, so an update also brings a changed configuration.
 */
export async function ensureAnomalySchedule(client: Client, opts: { taskQueue: string; every: Duration; params: AnomalyParams }): Promise<'created' | 'updated'> {
  const scheduleId = anomalyScheduleId(opts.taskQueue);
  const spec = { intervals: [{ every: opts.every }] };
  const action = { type: 'startWorkflow' as const, workflowType: anomalyWorkflow, taskQueue: opts.taskQueue, workflowId: scheduleId, args: [{ params: opts.params }] as [AnomalyInput] };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP } });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action }));
    return 'updated';
  }
}
