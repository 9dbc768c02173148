import { ApplicationFailure } from '@temporalio/activity';
import type { Solution } from '../domain/fee-dispute';
import type { FinanceSystem } from '../integrations/finance';
import { asActivityFailure } from './external-errors';
import type { ActionMeta } from './meta';

/** The idempotency key comes from the interpreter (ticket + step + visit): a retry or replay never pays twice. */
export function createFinanceActivities(finance: FinanceSystem) {
  async function issueRefund(input: { orderId: string; amountFen: number; reason: string }, meta: ActionMeta) {
    try {
      const { refund } = await finance.issueRefund({ orderId: input.orderId, amount: input.amountFen, reason: input.reason, ticketId: meta.ticketId }, meta.idempotencyKey);
      return { refundId: refund.id, amountFen: refund.amount };
    } catch (err) {
      throw asActivityFailure(err);
    }
  }

  async function issueCoupon(input: { userId: string; amountFen: number; reason: string; validDays?: number }, meta: ActionMeta) {
    try {
      const { coupon } = await finance.issueCoupon(
        { userId: input.userId, amount: input.amountFen, reason: input.reason, validDays: input.validDays ?? 30, ticketId: meta.ticketId },
        meta.idempotencyKey,
      );
      return { couponId: coupon.id, couponCode: coupon.code, amountFen: coupon.amount };
    } catch (err) {
      throw asActivityFailure(err);
    }
  }

  return {
    issueRefund,
    issueCoupon,
    /** Carries out a solution proposed by a matching action: refund, coupon, or nothing for an explanation. */
    async applySolution(input: { solution: Solution; orderId: string; userId: string }, meta: ActionMeta): Promise<Record<string, unknown>> {
      const { solution } = input;
      const reason = `ticket ${meta.ticketId}: ${solution.reason}`;
      switch (solution.kind) {
        case 'refund':
          return issueRefund({ orderId: input.orderId, amountFen: solution.amountFen, reason }, meta);
        case 'coupon':
          return issueCoupon({ userId: input.userId, amountFen: solution.amountFen, validDays: solution.validDays, reason }, meta);
        case 'explanation':
          return {};
        default:
          throw ApplicationFailure.nonRetryable(`a ${solution.kind} solution cannot be applied automatically`, 'solution_not_applicable');
      }
    },
  };
}
