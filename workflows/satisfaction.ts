// Satisfaction in the ticket workflow (issue 19): the user's rating of a closed ticket and the outcome
// of the review a low rating opens. New update handlers only, so recorded histories replay unchanged;
// the state lives in the context (`satisfaction`) and so survives continue-as-new.
import { setHandler } from '@temporalio/workflow';
import { DEFAULT_REVIEW_THRESHOLD, ratingError, reviewTicketIdOf, type Rating } from '../domain/ratings';
import { rateUpdate, reviewOutcomeUpdate } from './definitions';
import type { TicketFacts, TicketLiveState } from './types';

export interface SatisfactionState {
  rating: Rating | null;
  /** a review opened by a low rating: while open, the ticket waits for its outcome past its reopen window */
  review: { ticketId: string | null; open: boolean };
}

export const newSatisfaction = (): SatisfactionState => ({ rating: null, review: { ticketId: null, open: false } });

export const reviewThresholdOf = (policy: Record<string, unknown>) => (typeof policy.reviewThreshold === 'number' ? policy.reviewThreshold : DEFAULT_REVIEW_THRESHOLD);

export interface SatisfactionHooks {
  ticket: TicketFacts;
  state: SatisfactionState;
  threshold: () => number;
  /** why the ticket cannot be rated now (not closed, past its reopen window), or null */
  notRateable: () => string | null;
  record: (step: string, kind: string, data: Record<string, unknown>, change?: { actor?: string }) => Promise<void>;
  openReview: (input: { ticketId: string; rating: Rating }) => Promise<{ reviewTicketId: string }>;
  /** asks the main loop to reopen the ticket (second handling) */
  reopen: (request: { reason: string; actor: string }) => void;
  live: () => TicketLiveState;
}

export function installSatisfactionHandlers(h: SatisfactionHooks): void {
  const { ticket, state } = h;
  setHandler(
    rateUpdate,
    async (rating) => {
      const r: Rating = { score: rating.score, ...(rating.reason ? { reason: rating.reason } : {}), ...(rating.comment ? { comment: rating.comment } : {}) };
      const low = r.score <= h.threshold();
      state.rating = r;
      // marked before any await: the main loop must not end the ticket while the review is being opened
      if (low) state.review = { ticketId: reviewTicketIdOf(ticket.id), open: true };
      await h.record('survey', 'rated', { ...r, low }, { actor: `user:${ticket.userId}` });
      if (!low) return { score: r.score, reviewTicketId: null };
      const opened = await h.openReview({ ticketId: ticket.id, rating: r });
      await h.record('survey', 'review_opened', { reviewTicketId: opened.reviewTicketId, group: 'qa_group', score: r.score, ...(r.reason ? { reason: r.reason } : {}) });
      return { score: r.score, reviewTicketId: opened.reviewTicketId };
    },
    {
      validator: (rating) => {
        const refused = h.notRateable();
        if (refused) throw new Error(refused);
        if (state.rating) throw new Error('this ticket was already rated');
        const problem = ratingError(rating, h.threshold());
        if (problem) throw new Error(problem);
      },
    },
  );
  setHandler(
    reviewOutcomeUpdate,
    async (o) => {
      state.review = { ...state.review, open: false };
      // asked before recording: the loop, waiting for the review, must see the reopen when it wakes
      if (o.outcome === 'reopen') h.reopen({ reason: `review ${o.reviewTicketId}: ${o.findings ?? ''}`.trim(), actor: `review:${o.reviewTicketId}` });
      await h.record('review', 'review_closed', { reviewTicketId: o.reviewTicketId, outcome: o.outcome, ...(o.findings ? { findings: o.findings } : {}) }, { actor: `review:${o.reviewTicketId}` });
      return h.live();
    },
    {
      validator: (o) => {
        if (!state.review.open || o?.reviewTicketId !== state.review.ticketId) throw new Error(`ticket ${ticket.id} has no open review ${String(o?.reviewTicketId)}`);
        if (o.outcome !== 'reopen' && o.outcome !== 'closed') throw new Error('outcome must be reopen or closed');
      },
    },
  );
}
