// Low ratings get a second look by themselves: openReview (called by the rated ticket's workflow)
// files a review ticket for the QA team and starts its workflow under the review SOP;
// reportReviewOutcome (an SOP action of the review) hands the outcome back to the rated ticket,
// whose workflow records it as its own event (and reopens it when the reviewer says so).
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { reviewTicketIdOf, type Rating } from '../domain/ratings';
import { tickets, type Database } from '../schema';
import { reviewOutcomeUpdate, ticketWorkflowId } from '../workflows/definitions';
import type { TicketWorkflowInput } from '../workflows/types';
import { fileInternalTicket } from './internal-ticket';
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
      const sop = await deps.resolveSopByType({ type: REVIEW_SOP });
      const summary = `rating ${rating.score}/5${rating.reason ? ` (${rating.reason})` : ''} of ticket ${ticketId}`;
      const said = { ...(rating.reason ? { reason: rating.reason } : {}), ...(rating.comment ? { comment: rating.comment } : {}) };
      const id = reviewTicketIdOf(ticketId);
      const { ticketId: reviewTicketId, workflowId } = await fileInternalTicket(deps, {
        facts: {
          id, requestId: id, category: 'review', subtype: 'low_rating', skillGroup: REVIEW_GROUP, priority: 3,
          userId: original.userId, userTier: original.userTier as TicketWorkflowInput['ticket']['userTier'], orderId: original.orderId, region: original.region, channel: 'web',
          language: original.language, issueText: summary, appVersion: original.appVersion, claim: { namedItems: [], amountsFen: [] }, reviewOf: { ticketId, score: rating.score, ...said },
        },
        sop,
        requestText: rating.comment ?? summary,
        originalText: rating.comment ?? '',
        created: { actor: `review-of:${ticketId}`, data: { reviewOf: ticketId, score: rating.score, ...said } },
        summary: `review/low_rating · SOP ${sop.document.type} v${sop.document.version} · of ${ticketId}`,
      });
      return { reviewTicketId, workflowId };
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
