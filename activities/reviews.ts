// Low ratings get a second look by themselves: openReview (called by the rated ticket's workflow)
// files a review ticket for the QA team and starts its workflow under the review SOP;
// reportReviewOutcome (an SOP action of the review) hands the outcome back to the rated ticket,
// whose workflow records it as its own event (and reopens it when the reviewer says so).
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { reviewTicketIdOf, type Rating } from '../domain/ratings';
import { intakeRequests, ticketEvents, tickets, type Database } from '../schema';
import { reviewOutcomeUpdate, ticketWorkflowId } from '../workflows/definitions';
import * as attrs from '../workflows/search-attributes';
import type { TicketWorkflowInput } from '../workflows/types';
import type { ActionMeta } from './meta';
import type { ResolvedSop } from './sops';

export const REVIEW_SOP = 'review';
export const REVIEW_GROUP = 'qa_group';

export interface ReviewDeps {
  db: Database;
  client: Client;
  taskQueue: string;
  resolveSopByType: (input: { type: string }) => Promise<ResolvedSop>;
}

export function createReviewActivities(deps: ReviewDeps) {
  return {
    /** Files the review ticket (idempotent: one per rated ticket) and starts its workflow. */
    async openReview({ ticketId, rating }: { ticketId: string; rating: Rating }): Promise<{ reviewTicketId: string; workflowId: string }> {
      const [original] = await deps.db.select().from(tickets).where(eq(tickets.id, ticketId));
      if (!original) throw ApplicationFailure.nonRetryable(`no ticket ${ticketId}`, 'not_found');
      const { document, policy } = await deps.resolveSopByType({ type: REVIEW_SOP });
      const id = reviewTicketIdOf(ticketId);
      const workflowId = ticketWorkflowId(id);
      const now = new Date();
      const summary = `rating ${rating.score}/5${rating.reason ? ` (${rating.reason})` : ''} of ticket ${ticketId}`;
      await deps.db.transaction(async (tx) => {
        await tx.insert(intakeRequests).values({ requestId: id, userId: original.userId, channel: 'web', language: original.language, text: rating.comment ?? summary, createdAt: now }).onConflictDoNothing();
        await tx
          .insert(tickets)
          .values({
            id, requestId: id, workflowId, category: 'review', subtype: 'low_rating', skillGroup: REVIEW_GROUP, priority: 3, status: 'open', channel: 'web',
            userId: original.userId, userTier: original.userTier, orderId: original.orderId, region: original.region, appVersion: original.appVersion, language: original.language,
            originalText: rating.comment ?? '', issueText: summary, sopType: document.type, sopVersion: document.version, createdAt: now, updatedAt: now,
          })
          .onConflictDoNothing();
        await tx
          .insert(ticketEvents)
          .values({ ticketId: id, seq: 0, step: 'intake', kind: 'created', actor: `review-of:${ticketId}`, data: { reviewOf: ticketId, score: rating.score, ...(rating.reason ? { reason: rating.reason } : {}), ...(rating.comment ? { comment: rating.comment } : {}) }, at: now })
          .onConflictDoNothing();
      });
      const input: TicketWorkflowInput = {
        ticket: {
          id, requestId: id, category: 'review', subtype: 'low_rating', skillGroup: REVIEW_GROUP, priority: 3, userId: original.userId, userTier: original.userTier as TicketWorkflowInput['ticket']['userTier'],
          orderId: original.orderId, region: original.region, channel: 'web', language: original.language, issueText: summary, appVersion: original.appVersion, claim: { namedItems: [], amountsFen: [] },
          reviewOf: { ticketId, score: rating.score, ...(rating.reason ? { reason: rating.reason } : {}), ...(rating.comment ? { comment: rating.comment } : {}) },
        },
        sop: document,
        policy,
      };
      try {
        await deps.client.workflow.start('ticketWorkflow', {
          workflowId,
          taskQueue: deps.taskQueue,
          args: [input],
          staticSummary: `review/low_rating · SOP ${document.type} v${document.version} · of ${ticketId}`,
          typedSearchAttributes: [
            { key: attrs.TicketType, value: document.type },
            { key: attrs.TicketSubtype, value: 'low_rating' },
            { key: attrs.SkillGroup, value: REVIEW_GROUP },
            { key: attrs.Priority, value: 3 },
            { key: attrs.TicketStatus, value: 'open' },
            { key: attrs.Channel, value: 'web' },
          ],
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err; // a retry after the start
      }
      return { reviewTicketId: id, workflowId };
    },

    /** SOP action of the review: the outcome goes to the rated ticket as an update (one per review). */
    async reportReviewOutcome(input: { ticketId: string; outcome: string; findings?: string }, meta: ActionMeta) {
      if (input.outcome !== 'reopen' && input.outcome !== 'closed') throw ApplicationFailure.nonRetryable(`outcome must be reopen or closed, not ${input.outcome}`, 'invalid_input');
      try {
        await deps.client.workflow.getHandle(ticketWorkflowId(input.ticketId)).executeUpdate(reviewOutcomeUpdate, {
          args: [{ reviewTicketId: meta.ticketId, outcome: input.outcome, ...(input.findings ? { findings: input.findings } : {}) }],
          updateId: `review-outcome-${meta.ticketId}`,
        });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError) throw ApplicationFailure.nonRetryable(`ticket ${input.ticketId} did not take the outcome: ${(err.cause as Error | undefined)?.message ?? err.message}`, 'invalid_input');
        throw err;
      }
      return { ticketId: input.ticketId, outcome: input.outcome, reportedAt: new Date().toISOString() };
    },
  };
}
