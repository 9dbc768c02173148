import type { FinanceSystem } from '../integrations/finance';
import type { Coupon, CouponRequest, Refund, RefundRequest } from '../integrations/types';
import { asActivityFailure } from './external-errors';

/** The idempotency key comes from the workflow (ticket id + step), so a retry or a replay never pays twice. */
export function createFinanceActivities(finance: FinanceSystem) {
  return {
    async issueRefund(request: RefundRequest, idempotencyKey: string): Promise<Refund> {
      try {
        return (await finance.issueRefund(request, idempotencyKey)).refund;
      } catch (err) {
        throw asActivityFailure(err);
      }
    },
    async issueCoupon(request: CouponRequest, idempotencyKey: string): Promise<Coupon> {
      try {
        return (await finance.issueCoupon(request, idempotencyKey)).coupon;
      } catch (err) {
        throw asActivityFailure(err);
      }
    },
  };
}
