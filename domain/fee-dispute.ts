// Fee-dispute SOP, steps 2 and 3 as pure functions: compare what the user disputes with the
// order's system record, then pick a solution by policy. Pure so they are unit-tested directly;
// the workflow calls them through activities so a rule change never breaks a running ticket's replay.
import type { FeeCode, Order } from '../integrations/types';
import type { MoneyCause } from './money-policy';
import type { WaitingTariff } from './rate-tables';

/** Amounts in fen: the fee-dispute SOP's policy values that the solution policy reads. */
export interface FeePolicy {
  /** refunds above this are not automatic: an agent of the fee group reviews them */
  autoRefundLimitFen: number;
  /** a driver this many minutes late or more earns a compensation coupon when the bill itself is right */
  lateThresholdMinutes: number;
  lateCompensationCouponFen: number;
  /** goodwill coupon for vip/enterprise users whose bill was right (0 = none) */
  goodwillCouponFen: number;
  couponValidDays: number;
}

export type DisputedItem = FeeCode | 'payment';

export interface Finding {
  item: DisputedItem;
  /** fen */
  charged: number;
  expected: number;
  overcharge: number;
  reason: string;
  reasonZh: string;
}

export interface DisputeAnalysis {
  orderId: string;
  /** fee items the user named, in order of mention */
  namedItems: FeeCode[];
  /** the largest amount the user mentioned, in fen, if any */
  claimedFen: number | null;
  findings: Finding[];
  totalOverchargeFen: number;
  /** refunds already made on the order (an earlier ticket, a reopened one): never paid twice */
  alreadyRefundedFen: number;
  /** what is still owed: overcharge minus what was already refunded */
  refundDueFen: number;
  /** minutes the driver arrived after the promised time (0 when on time or unknown) */
  driverLateMinutes: number;
  /** one line for agents: what the dispute is about and what the record says */
  disputedPoint: string;
}

export interface DisputeClaim {
  namedItems: FeeCode[];
  amountsFen: number[];
}

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;
const sumOf = (order: Order, code: FeeCode) => order.fees.filter((f) => f.code === code).reduce((s, f) => s + f.amount, 0);

/** `tariff`: the waiting-fee rate table in force (the knowledge base); without it the order's own record of free minutes and rate. */
function checkWaitingFee(order: Order, tariff?: WaitingTariff | null): Finding | null {
  const charged = sumOf(order, 'waiting_fee');
  const { actualMinutes } = order.waiting;
  const { freeMinutes, ratePerMinute } = tariff ?? order.waiting;
  const billableMinutes = Math.max(0, actualMinutes - freeMinutes);
  const expected = billableMinutes * ratePerMinute;
  if (charged <= expected) return null;
  return {
    item: 'waiting_fee',
    charged,
    expected,
    overcharge: charged - expected,
    reason: `waited ${actualMinutes} min with ${freeMinutes} min free: ${billableMinutes} billable min = ${yuan(expected)}, charged ${yuan(charged)}`,
    reasonZh: `实际等候${actualMinutes}分钟,免费${freeMinutes}分钟,应收${billableMinutes}分钟共${yuan(expected)},实收${yuan(charged)}`,
  };
}

function checkCrossCitySurcharge(order: Order): Finding | null {
  const charged = sumOf(order, 'cross_city_surcharge');
  if (charged <= 0 || order.origin.city !== order.destination.city) return null;
  return {
    item: 'cross_city_surcharge',
    charged,
    expected: 0,
    overcharge: charged,
    reason: `trip stayed within ${order.origin.city}, yet a cross-city surcharge of ${yuan(charged)} was charged`,
    reasonZh: `起终点均在${order.origin.city}市内,不应收取跨城附加费${yuan(charged)}`,
  };
}

function checkTolls(order: Order): Finding | null {
  const charged = sumOf(order, 'toll');
  const passages = new Map(order.tolls.map((t) => [`${t.gate}@${t.at}`, t.amount]));
  const expected = [...passages.values()].reduce((s, a) => s + a, 0);
  if (charged <= expected) return null;
  return {
    item: 'toll',
    charged,
    expected,
    overcharge: charged - expected,
    reason: `${passages.size} toll passage(s) worth ${yuan(expected)}, charged ${yuan(charged)}`,
    reasonZh: `实际通行${passages.size}次收费站共${yuan(expected)},实收过路费${yuan(charged)}`,
  };
}

function checkCancellationFee(order: Order, lateMinutes: number): Finding | null {
  const charged = sumOf(order, 'cancellation_fee');
  if (charged <= 0) return null;
  const driverNeverCame = order.status === 'cancelled' && order.times.driverArrivedAt === null;
  if (!driverNeverCame && lateMinutes <= 0) return null;
  const why = driverNeverCame ? 'the driver never arrived' : `the driver was ${lateMinutes} min late`;
  const whyZh = driverNeverCame ? '司机未到达' : `司机迟到${lateMinutes}分钟`;
  return {
    item: 'cancellation_fee',
    charged,
    expected: 0,
    overcharge: charged,
    reason: `${why}, so no cancellation fee is due (charged ${yuan(charged)})`,
    reasonZh: `${whyZh},不应收取取消费${yuan(charged)}`,
  };
}

function checkPayments(order: Order): Finding | null {
  const captured = order.payments.filter((p) => p.status !== 'refunded').reduce((s, p) => s + p.amount, 0);
  if (captured <= order.total) return null;
  return {
    item: 'payment',
    charged: captured,
    expected: order.total,
    overcharge: captured - order.total,
    reason: `paid ${yuan(captured)} in ${order.payments.length} payments for a bill of ${yuan(order.total)}`,
    reasonZh: `订单应付${yuan(order.total)},实际支付${order.payments.length}笔共${yuan(captured)}`,
  };
}

export function driverLateMinutes(order: Order): number {
  const { promisedPickupAt, driverArrivedAt } = order.times;
  if (!driverArrivedAt) return 0;
  return Math.max(0, Math.round((Date.parse(driverArrivedAt) - Date.parse(promisedPickupAt)) / 60_000));
}

/**
 * Every rule runs, not only those of the items the user named: a customer who notices one error deserves all of them fixed.
 * `tariff` is the waiting-fee rate table in force when the order was booked (see activities/rates.ts).
 */
export function analyzeDispute(order: Order, claim: DisputeClaim, tariff?: WaitingTariff | null): DisputeAnalysis {
  const lateMinutes = driverLateMinutes(order);
  const findings = [
    checkWaitingFee(order, tariff),
    checkCrossCitySurcharge(order),
    checkTolls(order),
    checkCancellationFee(order, lateMinutes),
    checkPayments(order),
  ].filter((f): f is Finding => f !== null);
  const totalOverchargeFen = findings.reduce((s, f) => s + f.overcharge, 0);
  const alreadyRefundedFen = order.payments.reduce((s, p) => s + (p.refundedAmount ?? 0), 0);
  const named = claim.namedItems.length ? claim.namedItems.join(', ') : 'the bill in general';
  const disputedPoint = findings.length
    ? `user disputes ${named}; record shows ${findings.map((f) => f.reason).join('; ')}`
    : `user disputes ${named}; the record matches the bill of ${yuan(order.total)}`;
  return {
    orderId: order.id,
    namedItems: claim.namedItems,
    claimedFen: claim.amountsFen.length ? Math.max(...claim.amountsFen) : null,
    findings,
    totalOverchargeFen,
    alreadyRefundedFen,
    refundDueFen: Math.max(0, totalOverchargeFen - alreadyRefundedFen),
    driverLateMinutes: lateMinutes,
    disputedPoint,
  };
}

/** `cause` names the ledger the money counts against (see money-policy); absent in solutions of older tickets. */
export type Solution =
  | { kind: 'refund'; amountFen: number; reason: string; cause?: MoneyCause }
  | { kind: 'coupon'; amountFen: number; validDays: number; reason: string; cause?: MoneyCause }
  | { kind: 'explanation'; reason: string }
  | { kind: 'manual_review'; amountFen: number; reason: string };

export type { UserTier } from '../integrations/types';
import type { UserTier } from '../integrations/types';

export function matchSolution(analysis: DisputeAnalysis, userTier: UserTier, policy: FeePolicy): Solution {
  const overcharge = analysis.refundDueFen;
  if (analysis.totalOverchargeFen > 0 && overcharge === 0) {
    return { kind: 'explanation', reason: `the overcharge of ${yuan(analysis.totalOverchargeFen)} was already refunded` };
  }
  if (overcharge > policy.autoRefundLimitFen) {
    return { kind: 'manual_review', amountFen: overcharge, reason: `overcharge ${yuan(overcharge)} exceeds the automatic refund limit ${yuan(policy.autoRefundLimitFen)}` };
  }
  if (overcharge > 0) return { kind: 'refund', amountFen: overcharge, reason: analysis.findings.map((f) => f.reason).join('; '), cause: 'overcharge' };
  if (analysis.driverLateMinutes >= policy.lateThresholdMinutes && policy.lateCompensationCouponFen > 0) {
    return {
      kind: 'coupon',
      amountFen: policy.lateCompensationCouponFen,
      validDays: policy.couponValidDays,
      reason: `bill is correct; compensation for a driver ${analysis.driverLateMinutes} min late`,
      cause: 'late_arrival',
    };
  }
  if (userTier !== 'standard' && policy.goodwillCouponFen > 0) {
    return { kind: 'coupon', amountFen: policy.goodwillCouponFen, validDays: policy.couponValidDays, reason: `bill is correct; goodwill coupon for a ${userTier} user`, cause: 'goodwill' };
  }
  return { kind: 'explanation', reason: 'bill is correct' };
}

/** A ticket whose user is not the order's user: no automatic money, a person reviews it. */
export const ownerMismatchSolution = (): Solution => ({ kind: 'manual_review', amountFen: 0, reason: 'order_owner_mismatch' });

/** Says nothing about the order: the caller is not its owner. */
export function describeOwnerMismatch(orderId: string, language: string): string {
  return language !== 'en'
    ? `订单${orderId}无法与您的账号匹配,已转人工核实,我们会尽快联系您。`
    : `We could not match order ${orderId} to your account, so an agent will review your request. We will contact you soon.`;
}

/**
 * A coupon proposal net of what the order already received for its cause (another ticket, an earlier pass):
 * the rest, or an explanation when nothing is left. Other solutions pass unchanged (refunds are netted by the analysis).
 */
export function netOfPaid(proposal: { solution: Solution; message: string }, paidFen: number, orderId: string, language: string): { solution: Solution; message: string } {
  const { solution } = proposal;
  if (solution.kind !== 'coupon' || paidFen <= 0) return proposal;
  const zh = language !== 'en';
  const rest = solution.amountFen - paidFen;
  if (rest <= 0) {
    return {
      solution: { kind: 'explanation', reason: `order ${orderId} already received ${yuan(paidFen)} in coupons for this (${solution.reason})` },
      message: zh
        ? `订单${orderId}已就此获得${yuan(paidFen)}优惠券补偿,不再重复发放。请确认您是否认可此说明。`
        : `Order ${orderId} has already received a ${yuan(paidFen)} coupon for this, so no further coupon is due. Please confirm whether this settles it.`,
    };
  }
  return {
    solution: { ...solution, amountFen: rest, reason: `${solution.reason}; ${yuan(paidFen)} already given` },
    message: zh
      ? `经核实订单${orderId},您应获得${yuan(solution.amountFen)}补偿,已发放${yuan(paidFen)},我们将补发${yuan(rest)}优惠券(${solution.validDays}天内有效),请确认是否接受。`
      : `We checked order ${orderId}: ${yuan(solution.amountFen)} of compensation is due and ${yuan(paidFen)} was already given, so we offer a ${yuan(rest)} coupon valid ${solution.validDays} days. Please confirm whether you accept.`,
  };
}

/** The message the user receives with the proposed solution, in their language. */
export function describeSolution(solution: Solution, analysis: DisputeAnalysis, order: Order, language: string): string {
  const zh = language !== 'en';
  const breakdown = order.fees.map((f) => `${zh ? f.labelZh : f.label} ${yuan(f.amount)}`).join(zh ? ',' : ', ');
  switch (solution.kind) {
    case 'refund':
      return zh
        ? `经核实订单${order.id}:${analysis.findings.map((f) => f.reasonZh).join(';')}。我们将退还${yuan(solution.amountFen)},请确认是否接受。`
        : `We checked order ${order.id}: ${solution.reason}. We will refund ${yuan(solution.amountFen)}. Please confirm whether you accept.`;
    case 'coupon':
      return zh
        ? `经核实订单${order.id}费用无误(${breakdown})。为表歉意,我们将赠送${yuan(solution.amountFen)}优惠券(${solution.validDays}天内有效),请确认是否接受。`
        : `We checked order ${order.id} and the bill is correct (${breakdown}). We offer a ${yuan(solution.amountFen)} coupon valid ${solution.validDays} days. Please confirm whether you accept.`;
    case 'explanation':
      return zh
        ? `经核实订单${order.id}费用无误:${breakdown},合计${yuan(order.total)}。请确认您是否认可此说明。`
        : `We checked order ${order.id} and the bill is correct: ${breakdown}, total ${yuan(order.total)}. Please confirm whether this explanation settles it.`;
    case 'manual_review':
      return zh
        ? `您的费用争议(订单${order.id})涉及金额较大,已转交费用组人工审核,我们会尽快联系您。`
        : `Your fee dispute on order ${order.id} involves a larger amount and has been passed to our fee team for review. We will contact you soon.`;
  }
}
