// The actions an SOP may call. Each is an activity of the same name taking one object argument
// (the step's evaluated `input`) plus the step's meta (ticket id, step id, idempotency key).
// Pure data: the validator checks SOPs against it, the designer shows it as a palette.

export interface ActionSpec {
  description: string;
  /** required input names */
  inputs: string[];
  /** optional input names */
  optionalInputs?: string[];
  /** what the output holds, for authors */
  returns: string;
}

export const ACTIONS: Record<string, ActionSpec> = {
  fetchOrder: { description: 'Fetch the order (fee breakdown, payments, times, route) from the order system', inputs: ['orderId'], returns: 'Order | null (null when the order system does not know it)' },
  analyzeFeeDispute: { description: "Compare the user's claim with the order's record: findings and overcharge", inputs: ['order', 'claim'], returns: 'DisputeAnalysis {findings, totalOverchargeFen, driverLateMinutes, disputedPoint}' },
  matchFeeSolution: { description: 'Pick refund, coupon, explanation or manual review by policy, with the message to the user', inputs: ['analysis', 'order', 'userTier', 'language', 'policy'], returns: '{solution: {kind, amountFen?, validDays?, reason}, message}' },
  lateArrivalCompensation: { description: 'Compensation coupon by delay bands from policy (lateBands)', inputs: ['order', 'language', 'policy'], returns: '{solution, message, lateMinutes}' },
  applySolution: { description: 'Carry out a solution: refund or coupon through finance (idempotent per ticket and step); explanation does nothing', inputs: ['solution', 'orderId', 'userId'], returns: '{refundId?, couponId?, couponCode?, amountFen?}' },
  issueRefund: { description: 'Refund an amount on an order through finance (idempotent per ticket and step)', inputs: ['orderId', 'amountFen', 'reason'], returns: '{refundId, amountFen}' },
  issueCoupon: { description: 'Give the user a coupon through finance (idempotent per ticket and step)', inputs: ['userId', 'amountFen', 'reason'], optionalInputs: ['validDays'], returns: '{couponId, couponCode, amountFen}' },
  collectEvidence: { description: 'Collect the route trajectory and delivery sign-off photos of the order', inputs: ['order'], returns: '{trajectory: [...], signOffPhotos: [...], collectedAt}' },
  createTechTicket: { description: 'Open a ticket for the tech team with the app version and region', inputs: ['summary'], optionalInputs: ['appVersion', 'region'], returns: '{techTicketId}' },
  notifyOnCall: { description: 'Page the on-call person of a group', inputs: ['group', 'summary'], returns: '{notifiedAt}' },
};

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
