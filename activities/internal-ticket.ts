// Tickets the system files for itself (the review of a low rating, an anomaly alert): the request, the ticket
// row and its `created` event in one transaction, then its ticket workflow. Idempotent end to end: the ticket id
// is derived from what caused it, so a retry finds the rows written and the workflow already started.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { intakeRequests, ticketEvents, tickets, type Database } from '../schema';
import { ticketWorkflowId } from '../workflows/definitions';
import { ticketStartAttributes } from '../workflows/search-attributes';
import type { TicketWorkflowInput } from '../workflows/types';
import type { ResolvedSop } from './sops';

export interface InternalTicket {
  /** the ticket's facts as its workflow receives them; `id` doubles as the request id */
  facts: TicketWorkflowInput['ticket'];
  sop: ResolvedSop;
  /** what the request row keeps as the message, and the ticket row as the user's original text */
  requestText: string;
  originalText: string;
  /** the `created` event: who filed it and why */
  created: { actor: string; data: Record<string, unknown> };
  /** the line engineers see for the workflow in the Temporal UI */
  summary: string;
}

export async function fileInternalTicket(deps: { db: Database; client: Client; taskQueue: string }, t: InternalTicket): Promise<{ ticketId: string; workflowId: string }> {
  const { facts, sop } = t;
  const workflowId = ticketWorkflowId(facts.id);
  const now = new Date();
  await deps.db.transaction(async (tx) => {
    await tx.insert(intakeRequests).values({ requestId: facts.id, userId: facts.userId, channel: facts.channel, language: facts.language, text: t.requestText, createdAt: now }).onConflictDoNothing();
    await tx
      .insert(tickets)
      .values({
        id: facts.id, requestId: facts.id, workflowId, category: facts.category, subtype: facts.subtype, skillGroup: facts.skillGroup, priority: facts.priority, status: 'open',
        channel: facts.channel, userId: facts.userId, userTier: facts.userTier, orderId: facts.orderId, region: facts.region, appVersion: facts.appVersion, language: facts.language,
        originalText: t.originalText, issueText: facts.issueText, sopType: sop.document.type, sopVersion: sop.document.version, createdAt: now, updatedAt: now,
      })
      .onConflictDoNothing();
    await tx.insert(ticketEvents).values({ ticketId: facts.id, seq: 0, step: 'intake', kind: 'created', actor: t.created.actor, data: t.created.data, at: now }).onConflictDoNothing();
  });
  const input: TicketWorkflowInput = { ticket: facts, sop: sop.document, policy: sop.policy };
  try {
    await deps.client.workflow.start('ticketWorkflow', {
      workflowId,
      taskQueue: deps.taskQueue,
      args: [input],
      staticSummary: t.summary,
      typedSearchAttributes: ticketStartAttributes({ ...facts, sopType: sop.document.type, status: 'open' }),
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err; // a retry after the start
  }
  return { ticketId: facts.id, workflowId };
}
