// The money invariant in one place: for every order and cause, what all its tickets together may
// move, what one payment may add, and the idempotency key of the n-th payment. Pure, so the
// paying activities, the matching activities and the tests share one definition.
import type { Order, PaymentCause } from '../integrations/types';
import { analyzeDispute, driverLateMinutes, type Solution } from './fee-dispute';
import type { WaitingTariff } from './rate-tables';

/**
 * What the money is for. All tickets of an order share one ledger per cause:
 * - `overcharge`: refunds of what the order was billed or paid too much (fee disputes)
 * - `cargo_claim`: payouts for damaged or lost cargo (claims agents)
 * - `late_arrival`: compensation coupons for a late driver (the late-arrival SOP and the fee-dispute SOP's late coupon)
 * - `goodwill`: coupons for a correct bill (vip goodwill, a fee agent's coupon)
 * - `apology`: coupons after a service complaint (attitude)
 */
export type MoneyCause = PaymentCause;
export type MoneyKind = 'refund' | 'coupon';

export const KIND_OF_CAUSE: Record<MoneyCause, MoneyKind> = { overcharge: 'refund', cargo_claim: 'refund', late_arrival: 'coupon', goodwill: 'coupon', apology: 'coupon' };

/** Who set the amount: a matching action by the SOP's policy, or a person (an agent's decision). */
export type DecidedBy = 'policy' | 'agent';

/** The reason a ticket gets no automatic money: its user is not the order's user. */
export const ORDER_OWNER_MISMATCH = 'order_owner_mismatch';

export function isOrderOwner(order: Pick<Order, 'userId'>, userId: string | null | undefined): boolean {
  return !!userId && order.userId === userId;
}

/** What the order's payments captured, refunds not deducted (the ledger deducts them). */
export function capturedFen(order: Order): number {
  return order.payments.reduce((s, p) => s + p.amount, 0);
}

/** The order as billed: refunds made since do not shrink the overcharge (the ledger counts them instead). */
function asBilled(order: Order): Order {
  return { ...order, payments: order.payments.map((p) => ({ ...p, status: 'captured', refundedAmount: 0 })) };
}

const num = (policy: Record<string, unknown>, key: string): number => (typeof policy[key] === 'number' ? (policy[key] as number) : 0);

/** The late-arrival SOP's bands, or the fee-dispute SOP's single threshold: whichever the policy carries. */
export function lateCompensationFen(lateMinutes: number, policy: Record<string, unknown>): number {
  const band = lateMinutes >= 120 ? num(policy, 'lateBand120Fen') : lateMinutes >= 60 ? num(policy, 'lateBand60Fen') : lateMinutes >= 30 ? num(policy, 'lateBand30Fen') : 0;
  const threshold = num(policy, 'lateThresholdMinutes');
  const single = threshold > 0 && lateMinutes >= threshold ? num(policy, 'lateCompensationCouponFen') : 0;
  return Math.max(band, single);
}

/**
 * The most an order may have received for a cause, all tickets together.
 * - by policy: overcharge = the analysed overcharge of the bill (checked against `tariff`, the waiting-fee table in force, as the analysis was); late_arrival = the policy's compensation for the
 *   delay; goodwill = the policy's goodwill coupon.
 * - by an agent: a refund up to what the order paid (refunds already made count against it); a coupon up to the
 *   order's total.
 */
export function allowanceFen(cause: MoneyCause, order: Order, policy: Record<string, unknown>, by: DecidedBy, tariff?: WaitingTariff | null): number {
  if (by === 'agent') return KIND_OF_CAUSE[cause] === 'refund' ? capturedFen(order) : Math.max(0, order.total);
  switch (cause) {
    case 'overcharge':
      return analyzeDispute(asBilled(order), { namedItems: [], amountsFen: [] }, tariff).totalOverchargeFen;
    case 'late_arrival':
      return lateCompensationFen(driverLateMinutes(order), policy);
    case 'goodwill':
      return num(policy, 'goodwillCouponFen');
    case 'cargo_claim':
    case 'apology':
      return 0; // only people decide these
  }
}

/**
 * What one payment may add. `requestedFen` is the amount asked for; a person's decision is the total the order
 * should have for the cause (so deciding again after a payment that did go through adds nothing; the paying
 * activity refuses a decision above the allowance), a policy's solution is capped by its allowance. Never negative.
 */
export function amountToPay(p: { requestedFen: number; allowanceFen: number; paidFen: number; by: DecidedBy }): number {
  const target = p.by === 'agent' ? Math.min(p.requestedFen, p.allowanceFen) : p.allowanceFen;
  return Math.max(0, Math.min(p.requestedFen, target - p.paidFen));
}

/**
 * Idempotency key of the n-th payment (1-based) of an order for a cause: n = payments on the ledger + 1. Two payers
 * that read the same ledger compute the same key, so finance creates one payment and refuses or replays the other;
 * a retry, a reopen, a second ticket or a person deciding again can never mint a new key for money already paid.
 */
export function paymentKey(orderId: string, cause: MoneyCause, n: number): string {
  return `money:${orderId}:${cause}:${n}`;
}

/** The cause of money a person decides in a ticket's review, from the ticket's SOP and the kind of payment. */
export function causeOfSop(sopType: string, kind: MoneyKind): MoneyCause {
  if (kind === 'refund') return sopType === 'cargo_damage' || sopType === 'cargo_loss' ? 'cargo_claim' : 'overcharge';
  return sopType === 'late_arrival' ? 'late_arrival' : sopType === 'attitude' ? 'apology' : 'goodwill';
}

/** The cause of a policy's solution; solutions of tickets started before causes existed are recognised by kind. */
export function causeOfSolution(solution: Solution, sopType: string): MoneyCause | null {
  switch (solution.kind) {
    case 'refund':
      return solution.cause ?? causeOfSop(sopType, 'refund');
    case 'coupon':
      // the fee-dispute SOP's late coupon names the delay in its reason
      return solution.cause ?? (/late/.test(solution.reason) ? 'late_arrival' : causeOfSop(sopType, 'coupon'));
    default:
      return null;
  }
}
