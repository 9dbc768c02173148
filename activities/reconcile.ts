// The reconciler's activities: compare open tickets in the read model with their workflows and
// repair drift. Temporal is reached through the worker's own client (activity Context).
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { and, asc, eq, lt, ne, sql } from 'drizzle-orm';
import { tickets, type Database, type TicketStatus } from '../schema';
import type { TicketDrift, FailedIntake } from '../workflows/reconcile-types';
import { intakeWorkflowId } from '../workflows/definitions';
import type { TicketOutcome } from '../workflows/types';
import { restartForSupervisors, wasRecovered } from './recovery';

const SUPERVISORS = 'supervisor_group';
const CHECKS_AT_ONCE = 8;

// through a NativeConnection the client may report "not found" as a plain gRPC error (code 5)
const isNotFound = (err: unknown) => err instanceof WorkflowNotFoundError || (err as { code?: unknown })?.code === 5;

async function inBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) results.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return results;
}

/** Whether the intake that stored the ticket may still start its workflow (then the ticket is not missing yet). */
async function intakeRunning(client: Client, requestId: string): Promise<boolean> {
  try {
    return (await client.workflow.getHandle(intakeWorkflowId(requestId)).describe()).status.name === 'RUNNING';
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

async function driftOf(client: Client, row: { id: string; requestId: string; workflowId: string; status: TicketStatus }): Promise<TicketDrift | null> {
  const handle = client.workflow.getHandle(row.workflowId);
  let status: string;
  let closeTime: Date | undefined;
  try {
    const described = await handle.describe();
    status = described.status.name;
    closeTime = described.closeTime;
  } catch (err) {
    if (!isNotFound(err)) throw err;
    // a delayed intake (workers down, a backlog) starts it when it runs: restarting it here would take its id
    return (await intakeRunning(client, row.requestId)) ? null : { kind: 'missing_workflow', ticketId: row.id, rowStatus: row.status };
  }
  if (status === 'RUNNING' || status === 'CONTINUED_AS_NEW') return null; // a running ticket writes its own row
  if (status === 'COMPLETED') {
    const outcome = (await handle.result()) as TicketOutcome;
    return outcome.status === row.status ? null : { kind: 'finished_open_row', ticketId: row.id, rowStatus: row.status, outcome, closedAt: (closeTime ?? new Date()).toISOString() };
  }
  return { kind: 'dead_workflow', ticketId: row.id, rowStatus: row.status, workflowStatus: status.toLowerCase() };
}

export function createReconcileActivities(db: Database, sopPolicyOverrides: Record<string, number | string | boolean>) {
  return {
    /** Open rows (not closed, not already handed over by the reconciler) untouched for minAgeMs, checked against their workflows. */
    async findTicketDrift({ minAgeMs, limit }: { minAgeMs: number; limit: number }): Promise<{ checked: number; drift: TicketDrift[] }> {
      const rows = await db
        .select({ id: tickets.id, requestId: tickets.requestId, workflowId: tickets.workflowId, status: tickets.status })
        .from(tickets)
        .where(and(ne(tickets.status, 'closed'), lt(tickets.updatedAt, new Date(Date.now() - minAgeMs)), sql`coalesce((${tickets.resolution}->>'reconciled')::boolean, false) = false`))
        .orderBy(asc(tickets.updatedAt))
        .limit(limit);
      const client = Context.current().client;
      const found = await inBatches(rows, CHECKS_AT_ONCE, (row) => driftOf(client, row));
      return { checked: rows.length, drift: found.filter((d): d is TicketDrift => d !== null) };
    },

    /**
     * Repairs one drift. A finished workflow's row takes its result. A dead or missing workflow's row goes to the
     * supervisors with the reason, and the ticket is started again in their hand-off (activities/recovery.ts) so
     * they can act on it; a ticket whose restarted run died too is only marked (reconciled, not checked again).
     * The row update is conditional on the status seen, so a repeat or a concurrent change is a no-op.
     */
    async repairTicketDrift(drift: TicketDrift): Promise<boolean> {
      const now = new Date();
      /** the row update, conditional on the status seen */
      const applyToRow = async (change: Partial<typeof tickets.$inferInsert>) =>
        (await db.update(tickets).set({ ...change, updatedAt: now }).where(and(eq(tickets.id, drift.ticketId), eq(tickets.status, drift.rowStatus))).returning({ id: tickets.id })).length > 0;
      if (drift.kind === 'finished_open_row') {
        const { outcome } = drift;
        return applyToRow({ status: outcome.status, resolution: outcome.resolution, ...(outcome.status === 'closed' ? { closedAt: new Date(drift.closedAt) } : {}) });
      }
      const reason = drift.kind === 'missing_workflow' ? 'workflow_missing' : `workflow_${drift.workflowStatus}`;
      const restart = !(await wasRecovered(db, drift.ticketId));
      const applied = await applyToRow({
        status: 'escalated',
        skillGroup: SUPERVISORS,
        resolution: { code: 'escalated', reason, toGroup: SUPERVISORS, level: 2, previousStatus: drift.rowStatus, ...(restart ? { restarted: true } : { reconciled: true }), at: now.toISOString() },
      });
      // also on a retry whose row update already applied: the start itself is idempotent
      if (restart) {
        const { client, info } = Context.current();
        await restartForSupervisors({ db, client, taskQueue: info.taskQueue, sopPolicyOverrides }, drift.ticketId, { reason, previousStatus: drift.rowStatus });
      }
      return applied;
    },

    /** Intakes of this task queue that ended without creating tickets since `since` (their requests answer "failed"). */
    async findFailedIntakes({ taskQueue, since }: { taskQueue: string; since: string }): Promise<FailedIntake[]> {
      const query = `WorkflowType = 'intakeWorkflow' AND TaskQueue = '${taskQueue}' AND ExecutionStatus IN ('Failed', 'Terminated', 'TimedOut', 'Canceled') AND CloseTime > '${since}'`;
      const failed: FailedIntake[] = [];
      for await (const run of Context.current().client.workflow.list({ query })) {
        failed.push({ requestId: run.workflowId.replace(/^intake-/, ''), status: run.status.name.toLowerCase(), closedAt: run.closeTime?.toISOString() ?? null });
      }
      return failed;
    },
  };
}
