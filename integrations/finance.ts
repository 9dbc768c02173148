// HTTP client for the finance system (sandbox: `${sandbox.url}/finance`). Refunds and coupons are idempotent per key.
import { createHttp, type HttpClientOptions } from './http';
import type { Coupon, CouponRequest, FinanceRequestLogEntry, PaymentCause, Refund, RefundRequest } from './types';

export interface FinanceSystem {
  /** replayed = the server returned the refund created earlier for this key (no new money moved) */
  issueRefund(req: RefundRequest, idempotencyKey: string): Promise<{ refund: Refund; replayed: boolean }>;
  issueCoupon(req: CouponRequest, idempotencyKey: string): Promise<{ coupon: Coupon; replayed: boolean }>;
  listRefunds(f?: { orderId?: string; ticketId?: string; cause?: PaymentCause }): Promise<Refund[]>;
  listCoupons(f?: { userId?: string; ticketId?: string; orderId?: string; cause?: PaymentCause }): Promise<Coupon[]>;
  /** every POST the finance system received, replays and rejections included */
  requestLog(): Promise<FinanceRequestLogEntry[]>;
}

export function createFinanceClient(baseUrl: string, opts: HttpClientOptions = {}): FinanceSystem {
  const http = createHttp('finance', baseUrl, opts);
  const replayed = (res: { status: number; headers: Headers }) =>
    res.status === 200 || res.headers.get('idempotent-replayed') === 'true';
  return {
    async issueRefund(req, idempotencyKey) {
      const res = await http<Refund>('/refunds', { method: 'POST', body: req, headers: { 'Idempotency-Key': idempotencyKey } });
      return { refund: res.body, replayed: replayed(res) };
    },
    async issueCoupon(req, idempotencyKey) {
      const res = await http<Coupon>('/coupons', { method: 'POST', body: req, headers: { 'Idempotency-Key': idempotencyKey } });
      return { coupon: res.body, replayed: replayed(res) };
    },
    async listRefunds(f = {}) {
      return (await http<Refund[]>('/refunds', { query: { orderId: f.orderId, ticketId: f.ticketId, cause: f.cause } })).body;
    },
    async listCoupons(f = {}) {
      return (await http<Coupon[]>('/coupons', { query: { userId: f.userId, ticketId: f.ticketId, orderId: f.orderId, cause: f.cause } })).body;
    },
    async requestLog() {
      return (await http<FinanceRequestLogEntry[]>('/requests')).body;
    },
  };
}
