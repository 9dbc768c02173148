// Run by a Temporal Schedule (see worker/schedules.ts): finds open tickets whose read-model row and
// workflow disagree, repairs the row, and reports failed intakes. The report is the result.
import { log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ReconcileInput, ReconcileReport } from './reconcile-types';

const { findTicketDrift, repairTicketDrift, findFailedIntakes } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
});

export async function reconcileWorkflow(input: ReconcileInput = {}): Promise<ReconcileReport> {
  const { checked, drift } = await findTicketDrift({ minAgeMs: input.minAgeMs ?? 60_000, limit: input.limit ?? 2_000 });
  const repaired: ReconcileReport['repaired'] = [];
  for (const d of drift) repaired.push({ ...d, applied: await repairTicketDrift(d) });
  const since = new Date(Date.now() - (input.lookbackMs ?? 24 * 60 * 60 * 1000)).toISOString();
  const failedIntakes = await findFailedIntakes({ taskQueue: workflowInfo().taskQueue, since });
  log.info(
    `reconcile: ${checked} open tickets checked, ${repaired.filter((r) => r.applied).length} repaired` +
      (repaired.length ? ` (${repaired.map((r) => `${r.ticketId} ${r.kind}`).join(', ')})` : '') +
      `, ${failedIntakes.length} failed intakes${failedIntakes.length ? ` (${failedIntakes.map((f) => f.requestId).join(', ')})` : ''}`,
  );
  return { checked, repaired, failedIntakes };
}
