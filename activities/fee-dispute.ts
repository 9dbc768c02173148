import type { FeePolicy } from '../config';
import { analyzeDispute, describeSolution, matchSolution, type DisputeAnalysis, type Solution, type UserTier } from '../domain/fee-dispute';
import type { FeeCode, Order } from '../integrations/types';

export const feeDisputeActivities = {
  async analyzeFeeDispute({ order, claim }: { order: Order; claim: { namedItems: string[]; amountsFen: number[] } }): Promise<DisputeAnalysis> {
    return analyzeDispute(order, { namedItems: claim.namedItems as FeeCode[], amountsFen: claim.amountsFen });
  },
  async proposeFeeSolution(input: { analysis: DisputeAnalysis; order: Order; userTier: UserTier; language: string; policy: FeePolicy }): Promise<{ solution: Solution; message: string }> {
    const solution = matchSolution(input.analysis, input.userTier, input.policy);
    return { solution, message: describeSolution(solution, input.analysis, input.order, input.language) };
  },
};
