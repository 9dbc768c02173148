// Matching actions of the fee-dispute and late-arrival SOPs: pure domain rules behind activities,
// so a rule change never alters a running ticket's replay.
import { analyzeDispute, describeSolution, matchSolution, type DisputeAnalysis, type FeePolicy, type Solution, type UserTier } from '../domain/fee-dispute';
import { lateArrivalCompensation, type LateArrivalPolicy } from '../domain/late-arrival';
import type { FeeCode, Order } from '../integrations/types';

type PolicyValues = Record<string, unknown>;

/** Reads numbers from the SOP's policy; a missing or non-numeric value is an authoring error worth failing on. */
function numbers<K extends string>(policy: PolicyValues, keys: readonly K[]): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const key of keys) {
    const value = policy[key];
    if (typeof value !== 'number') throw new Error(`SOP policy value "${key}" must be a number, got ${JSON.stringify(value)}`);
    out[key] = value;
  }
  return out;
}

const FEE_POLICY_KEYS = ['autoRefundLimitFen', 'lateThresholdMinutes', 'lateCompensationCouponFen', 'goodwillCouponFen', 'couponValidDays'] as const;
const LATE_POLICY_KEYS = ['lateBand30Fen', 'lateBand60Fen', 'lateBand120Fen', 'couponValidDays'] as const;

export const feeDisputeActivities = {
  async analyzeFeeDispute({ order, claim }: { order: Order; claim: { namedItems: string[]; amountsFen: number[] } }): Promise<DisputeAnalysis> {
    return analyzeDispute(order, { namedItems: claim.namedItems as FeeCode[], amountsFen: claim.amountsFen });
  },
  async matchFeeSolution(input: { analysis: DisputeAnalysis; order: Order; userTier: UserTier; language: string; policy: PolicyValues }): Promise<{ solution: Solution; message: string }> {
    const policy: FeePolicy = numbers(input.policy, FEE_POLICY_KEYS);
    const solution = matchSolution(input.analysis, input.userTier, policy);
    return { solution, message: describeSolution(solution, input.analysis, input.order, input.language) };
  },
  async lateArrivalCompensation(input: { order: Order; language: string; policy: PolicyValues }) {
    const policy: LateArrivalPolicy = numbers(input.policy, LATE_POLICY_KEYS);
    return lateArrivalCompensation(input.order, input.language, policy);
  },
};
