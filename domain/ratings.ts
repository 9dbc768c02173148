// Satisfaction ratings: 1–5, an optional comment, and for a low score one reason from a short list
// (one tap; the reasons are counted). Pure: the workflow's update validator and the API share it.

export const RATING_REASONS = ['slow', 'not_solved', 'unfriendly', 'unclear', 'other'] as const;
export type RatingReason = (typeof RATING_REASONS)[number];
/** a score at or below this asks for a reason and starts a review (policy value reviewThreshold) */
export const DEFAULT_REVIEW_THRESHOLD = 2;
export const MAX_RATING_COMMENT = 1_000;

export interface Rating {
  score: number;
  reason?: RatingReason;
  comment?: string;
}

/** Why the rating cannot be taken, or null. */
export function ratingError(rating: unknown, threshold: number): string | null {
  const r = rating as Partial<Rating> | null;
  if (!r || typeof r !== 'object') return 'the rating must be an object';
  if (!Number.isInteger(r.score) || r.score! < 1 || r.score! > 5) return 'score must be an integer from 1 to 5';
  if (r.comment !== undefined && (typeof r.comment !== 'string' || r.comment.length > MAX_RATING_COMMENT)) return `comment must be a string of at most ${MAX_RATING_COMMENT} characters`;
  if (r.reason !== undefined && !RATING_REASONS.includes(r.reason)) return `reason must be one of ${RATING_REASONS.join(', ')}`;
  if (r.score! <= threshold && r.reason === undefined) return `a score of ${threshold} or less needs a reason: one of ${RATING_REASONS.join(', ')}`;
  return null;
}

/** The review ticket a low rating opens (one per rated ticket: a ticket is rated once). */
export const reviewTicketIdOf = (ticketId: string) => `review-${ticketId}`;
