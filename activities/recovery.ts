// A ticket whose workflow ended without closing it (terminated, failed, timed out, cancelled) or never started
// is started again by the reconciler so that nobody is left with a row they cannot act on: the new run opens in
// the supervisors' built-in hand-off (retry runs the procedure again from its start, close closes it), writes its
// events after the earlier ones, and keeps the SOP version the ticket ran under.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { and, asc, eq, max, sql } from 'drizzle-orm';
import { extractEntities } from '../nlp/entities';
import { ticketEvents, tickets, type Database } from '../schema';
import { getSopVersion } from '../schema/sop-repository';
import { ticketWorkflowId } from '../workflows/definitions';
import { ticketStartAttributes } from '../workflows/search-attributes';
import type { TicketFacts, TicketRecovery, TicketWorkflowInput } from '../workflows/types';
import { policyInForce } from './rates';

type TicketRow = typeof tickets.$inferSelect;
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** The facts the intake gave the workflow, read back: the row, the claim from the issue text, a review's or alert's origin from its `created` event. */
async function factsOf(db: Database, row: TicketRow): Promise<TicketFacts> {
  const [created] = await db.select({ data: ticketEvents.data }).from(ticketEvents).where(and(eq(ticketEvents.ticketId, row.id), eq(ticketEvents.kind, 'created'))).orderBy(asc(ticketEvents.seq)).limit(1);
  const origin = (created?.data ?? {}) as Record<string, unknown>;
  const entities = extractEntities(row.issueText);
  return {
    id: row.id, requestId: row.requestId, category: row.category, subtype: row.subtype, skillGroup: row.skillGroup, priority: row.priority, userId: row.userId,
    userTier: row.userTier as TicketFacts['userTier'], orderId: row.orderId, region: row.region, channel: row.channel as TicketFacts['channel'], language: row.language,
    issueText: row.issueText, appVersion: row.appVersion, claim: { namedItems: entities.feeItems, amountsFen: entities.amounts.map((a) => a.fen) },
    ...(str(origin.reviewOf) ? { reviewOf: { ticketId: str(origin.reviewOf)!, score: Number(origin.score), ...(str(origin.reason) ? { reason: str(origin.reason) } : {}), ...(str(origin.comment) ? { comment: str(origin.comment) } : {}) } } : {}),
    ...(str(origin.alertId) ? { anomaly: origin as unknown as NonNullable<TicketFacts['anomaly']> } : {}),
  };
}

/** Whether a run started by the reconciler already wrote its hand-off: a ticket is started again once, not in a loop. */
export async function wasRecovered(db: Database, ticketId: string): Promise<boolean> {
  const found = await db
    .select({ seq: ticketEvents.seq })
    .from(ticketEvents)
    .where(and(eq(ticketEvents.ticketId, ticketId), eq(ticketEvents.kind, 'escalated'), sql`${ticketEvents.data}->>'recovered' = 'true'`))
    .limit(1);
  return found.length > 0;
}

export interface RecoveryDeps {
  db: Database;
  client: Client;
  taskQueue: string;
  sopPolicyOverrides: Record<string, number | string | boolean>;
}

/**
 * Starts the ticket's workflow again for the supervisors. Idempotent: the start is allowed only while the latest run
 * ended in failure (or there is none), so a retry, a recovered run still waiting, or one already closed starts nothing.
 * Returns whether this call started it.
 */
export async function restartForSupervisors(deps: RecoveryDeps, ticketId: string, why: Omit<TicketRecovery, 'stoppedAt'>): Promise<boolean> {
  const [row] = await deps.db.select().from(tickets).where(eq(tickets.id, ticketId));
  if (!row) return false;
  const sop = await getSopVersion(deps.db, row.sopType, row.sopVersion);
  if (!sop) throw new Error(`ticket ${ticketId} ran SOP ${row.sopType} v${row.sopVersion}, which is not stored`);
  const [last] = await deps.db.select({ seq: max(ticketEvents.seq) }).from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId));
  const input: TicketWorkflowInput = {
    ticket: await factsOf(deps.db, row),
    sop: sop.document,
    policy: await policyInForce(deps.db, sop.document, new Date(), deps.sopPolicyOverrides),
    resume: { stepId: sop.document.start, status: 'escalated', seq: (last?.seq ?? 0) + 1, context: {}, run: 1 },
    // the row's step is the last one its workflow wrote (null: it never ran); the reconciler's update leaves it alone
    recover: { ...why, stoppedAt: row.currentStep },
  };
  try {
    await deps.client.workflow.start('ticketWorkflow', {
      workflowId: ticketWorkflowId(ticketId),
      taskQueue: deps.taskQueue,
      args: [input],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      staticSummary: `${row.category}/${row.subtype} · SOP ${row.sopType} v${row.sopVersion} · recovered (${why.reason})`,
      typedSearchAttributes: ticketStartAttributes({ ...row, status: 'escalated' }),
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}
