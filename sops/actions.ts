// The one catalogue of the actions an SOP may call. Each is an activity of the same name taking one
// object argument (the step's evaluated `input`) plus the step's meta (ticket id, step id, idempotency key).
// Pure data: the validator checks SOPs against it, the API serves it to the designer as a palette, the
// table in docs/SOP_FORMAT.md is generated from it (sops/actions-doc.ts), and a test checks that the
// worker registers exactly these actions (test/sop-actions.test.ts).

/**
 * How an action may be retried: `read` has no side effect; `idempotent` changes another system once
 * per idempotency key, so retries and replays are harmless.
 */
export type RetryClass = 'read' | 'idempotent';

export interface ActionSpec {
  description: string;
  /** required input names */
  inputs: string[];
  /** optional input names */
  optionalInputs?: string[];
  /** what the output holds, for authors */
  returns: string;
  retry: RetryClass;
}

const CATALOGUE = {
  fetchOrder: { description: 'Fetch the order (fee breakdown, payments, times, route) from the order system', inputs: ['orderId'], returns: 'Order | null (null when the order system does not know it)', retry: 'read' },
  analyzeFeeDispute: { description: "Compare the user's claim with the order's record: findings and overcharge", inputs: ['order', 'claim'], returns: 'DisputeAnalysis {findings, totalOverchargeFen, driverLateMinutes, disputedPoint}', retry: 'read' },
  matchFeeSolution: { description: 'Pick refund, coupon, explanation or manual review by policy, with the message to the user', inputs: ['analysis', 'order', 'userTier', 'language', 'policy'], returns: '{solution: {kind, amountFen?, validDays?, reason}, message, policyArticle, similarCases: [{ticketId, outcome, solution, amountFen}]}', retry: 'read' },
  lateArrivalCompensation: { description: 'Compensation coupon by delay bands from the late-compensation rate table in force at the booking (the policy values lateBand30Fen, lateBand60Fen, lateBand120Fen, couponValidDays only without a table)', inputs: ['order', 'language', 'policy'], returns: '{solution, message, lateMinutes, policyArticle, similarCases}', retry: 'read' },
  applySolution: { description: "Carry out a solution: refund or coupon through finance, only what the order's ledger still lacks for its cause (key per order, cause and n-th payment); explanation does nothing", inputs: ['solution', 'orderId', 'userId'], returns: '{refundId?, couponId?, amountFen, paidNowFen, orderPaidFen, cause, idempotencyKey}', retry: 'idempotent' },
  issueRefund: { description: "Refund up to the amount a person decided for the order, less what its ledger already holds for the cause (key per order, cause and n-th payment)", inputs: ['orderId', 'amountFen', 'reason'], returns: '{refundId, amountFen, paidNowFen, orderPaidFen, cause, idempotencyKey}', retry: 'idempotent' },
  issueCoupon: { description: "Give the order's user a coupon up to the amount decided, less what the ledger already holds for the cause (key per order, cause and n-th payment)", inputs: ['userId', 'amountFen', 'reason'], optionalInputs: ['validDays', 'orderId'], returns: '{couponId, amountFen, paidNowFen, orderPaidFen, cause, idempotencyKey}', retry: 'idempotent' },
  paymentStatus: { description: 'What the order already received for the cause of a solution (ask before escalating a failed payment)', inputs: ['orderId', 'solution'], returns: '{cause, orderPaidFen, ticketPaidFen, covered}', retry: 'read' },
  collectEvidence: { description: 'Collect the route trajectory and delivery sign-off photos of the order', inputs: ['order'], returns: '{trajectory: [...], signOffPhotos: [...], collectedAt}', retry: 'read' },
  createTechTicket: { description: 'Open a ticket for the tech team with the app version and region', inputs: ['summary'], optionalInputs: ['appVersion', 'region'], returns: '{techTicketId}', retry: 'idempotent' },
  reportReviewOutcome: { description: "Review SOP: hand the reviewer's outcome (reopen or closed, with findings) to the rated ticket, which records it and reopens on reopen", inputs: ['ticketId', 'outcome'], optionalInputs: ['findings'], returns: '{ticketId, outcome, reportedAt}', retry: 'idempotent' },
  findSimilarCases: { description: 'Past cases (closed tickets in the knowledge base) like the text, within the SOP type when given: resolved ones first, then those the user did not rate low', inputs: ['text'], optionalInputs: ['sopType', 'limit'], returns: '{cases: [{articleId, title, ticketId, subtype, sopType, sopVersion, solution, amountFen, outcome, rating, ratedLow, score}]}', retry: 'read' },
  notifyOnCall: { description: 'Page the on-call person of a group: batched per group, one SMS per window (PAGER_WINDOW_MS) listing the ticket ids', inputs: ['group', 'summary'], returns: '{queuedAt, pager, windowMs}', retry: 'idempotent' },
} satisfies Record<string, ActionSpec>;

/** The name of a catalogued action. */
export type ActionName = keyof typeof CATALOGUE;
export const ACTIONS: Readonly<Record<string, ActionSpec>> = CATALOGUE;
export const ACTION_NAMES = Object.keys(CATALOGUE) as ActionName[];

export { SIGNALS } from './types';

export const SKILL_GROUPS = [
  'fee_group',
  'order_exception_group',
  'qa_group',
  'claims_group',
  'safety_group',
  'tech_team',
  'general_group',
  'triage',
  'supervisor_group',
] as const;
