// Late-arrival SOP: compensation coupon by delay bands. The bands come from the `late-compensation` rate-table
// article in force (activities/rates.ts); the SOP policy's copy serves only when no such article exists.
import type { Order } from '../integrations/types';
import { driverLateMinutes, type Solution } from './fee-dispute';

export interface LateArrivalPolicy {
  lateBand30Fen: number;
  lateBand60Fen: number;
  lateBand120Fen: number;
  couponValidDays: number;
}

export const LATE_BAND_KEYS = ['lateBand30Fen', 'lateBand60Fen', 'lateBand120Fen', 'couponValidDays'] as const;

/** The bands of a `late-compensation` rates block; throws naming the rule when a number is missing. */
export function lateBandsOf(block: Record<string, unknown>): LateArrivalPolicy {
  const out = {} as LateArrivalPolicy;
  for (const key of LATE_BAND_KEYS) {
    const value = block[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`rate table late-compensation: ${key} must be a non-negative number, got ${JSON.stringify(value)}`);
    out[key] = value;
  }
  return out;
}

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

export function lateArrivalCompensation(order: Order, language: string, policy: LateArrivalPolicy): { solution: Solution; message: string; lateMinutes: number } {
  const lateMinutes = driverLateMinutes(order);
  const amountFen = lateMinutes >= 120 ? policy.lateBand120Fen : lateMinutes >= 60 ? policy.lateBand60Fen : lateMinutes >= 30 ? policy.lateBand30Fen : 0;
  const zh = language !== 'en';
  if (amountFen === 0) {
    const reason = `driver arrived ${lateMinutes} min after the promised time, within the 30 min tolerance`;
    return {
      lateMinutes,
      solution: { kind: 'explanation', reason },
      message: zh
        ? `经核实订单${order.id},司机比约定时间晚到${lateMinutes}分钟,在30分钟的约定范围内。请确认您是否认可此说明。`
        : `We checked order ${order.id}: the driver arrived ${lateMinutes} min after the promised time, within our 30-minute tolerance. Please confirm whether this settles it.`,
    };
  }
  return {
    lateMinutes,
    solution: { kind: 'coupon', amountFen, validDays: policy.couponValidDays, reason: `driver ${lateMinutes} min late`, cause: 'late_arrival' },
    message: zh
      ? `经核实订单${order.id},司机迟到${lateMinutes}分钟,非常抱歉。我们将赠送${yuan(amountFen)}优惠券(${policy.couponValidDays}天内有效),请确认是否接受。`
      : `We checked order ${order.id}: the driver was ${lateMinutes} min late, and we are sorry. We offer a ${yuan(amountFen)} coupon valid ${policy.couponValidDays} days. Please confirm whether you accept.`,
  };
}
