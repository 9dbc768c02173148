// Matching actions of the fee-dispute and late-arrival SOPs: pure domain rules behind activities,
// so a rule change never alters a running ticket's replay.
import { ApplicationFailure } from '@temporalio/activity';
import { analyzeDispute, describeOwnerMismatch, describeSolution, matchSolution, netOfPaid, ownerMismatchSolution, type DisputeAnalysis, type FeePolicy, type Solution, type UserTier } from '../domain/fee-dispute';
import { LATE_BAND_KEYS, lateArrivalCompensation, type LateArrivalPolicy } from '../domain/late-arrival';
import { isOrderOwner } from '../domain/money-policy';
import type { FinanceSystem } from '../integrations/finance';
import type { FeeCode, Order } from '../integrations/types';
import { eq } from 'drizzle-orm';
import type { Database } from '../schema';
import { articleInForce } from '../schema/kb-repository';
import { tickets } from '../schema/tables';
import { asActivityFailure } from './external-errors';
import { createKbActivities, type SimilarCase } from './kb';
import { lateBandsFor, waitingTariffFor, withLateBands } from './rates';
import type { ActionMeta } from './meta';
import { readTicketParty } from './store';

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

/** The rules alone, without the ticket's identity (unit tests call these directly). */
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
    const policy: LateArrivalPolicy = numbers(input.policy, LATE_BAND_KEYS);
    return lateArrivalCompensation(input.order, input.language, policy);
  },
};

/**
 * The matching actions as the worker registers them: a ticket whose user is not the order's user gets no automatic
 * money, but `{ solution: { kind: 'manual_review', amountFen: 0, reason: 'order_owner_mismatch' }, message }`, and
 * the message tells the caller nothing about the order. A coupon proposal is net of the order's ledger for its cause.
 */
export function createFeeDisputeActivities(db: Database, finance: FinanceSystem) {
  async function net<T extends { solution: Solution; message: string }>(proposal: T, order: Order, language: string): Promise<T> {
    const { solution } = proposal;
    if (solution.kind !== 'coupon' || !solution.cause) return proposal;
    let paid: number;
    try {
      paid = (await finance.listCoupons({ orderId: order.id, cause: solution.cause })).reduce((s, c) => s + c.amount, 0);
    } catch (err) {
      throw asActivityFailure(err);
    }
    return { ...proposal, ...netOfPaid(proposal, paid, order.id, language) };
  }
  async function ownerMismatch(order: Order, language: string, meta: ActionMeta | undefined): Promise<{ solution: Solution; message: string } | null> {
    if (!meta) throw ApplicationFailure.nonRetryable('matching actions need the ticket (action meta)', 'missing_meta');
    const party = await readTicketParty(db, meta.ticketId);
    if (!party) throw ApplicationFailure.nonRetryable(`ticket ${meta.ticketId} is not in the read model`, 'ticket_not_found');
    return isOrderOwner(order, party.userId) ? null : { solution: ownerMismatchSolution(), message: describeOwnerMismatch(order.id, language) };
  }
  const kb = createKbActivities(db);
  /**
   * What a proposal applied, for agents: the policy article in force (`<articleId>@v<version>`) and up to two similar
   * resolved cases of the SOP type with their outcomes. Compact, so the step's `completed` event keeps the whole result.
   */
  async function cite<T extends { solution: Solution; message: string }>(proposal: T, policyPair: string, sopType: string, language: string, meta: ActionMeta | undefined): Promise<T & { policyArticle: string | null; similarCases: Array<Pick<SimilarCase, 'ticketId' | 'outcome' | 'solution' | 'amountFen'>> }> {
    const article = (await articleInForce(db, `${policyPair}-${language === 'en' ? 'en' : 'zh'}`)) ?? (await articleInForce(db, `${policyPair}-zh`));
    const [ticket] = meta ? await db.select({ issueText: tickets.issueText }).from(tickets).where(eq(tickets.id, meta.ticketId)) : [];
    const { cases } = ticket ? await kb.findSimilarCases({ text: ticket.issueText, sopType, limit: 2 }) : { cases: [] };
    return {
      ...proposal,
      policyArticle: article ? `${article.articleId}@v${article.version}` : null,
      similarCases: cases.filter((c) => c.outcome === 'resolved' && c.ticketId !== meta?.ticketId).map(({ ticketId, outcome, solution, amountFen }) => ({ ticketId, outcome, solution, amountFen })),
    };
  }
  return {
    /** checks the bill against the rate tables in force when the order was booked (the knowledge base's articles) */
    async analyzeFeeDispute({ order, claim }: Parameters<typeof feeDisputeActivities.analyzeFeeDispute>[0]): Promise<DisputeAnalysis> {
      return analyzeDispute(order, { namedItems: claim.namedItems as FeeCode[], amountsFen: claim.amountsFen }, await waitingTariffFor(db, order));
    },
    async matchFeeSolution(input: Parameters<typeof feeDisputeActivities.matchFeeSolution>[0], meta?: ActionMeta) {
      const proposal = (await ownerMismatch(input.order, input.language, meta)) ?? (await net(await feeDisputeActivities.matchFeeSolution(input), input.order, input.language));
      return cite(proposal, 'policy-fee-dispute', 'fee_dispute', input.language, meta);
    },
    /** the bands of the `late-compensation` table in force at the order's booking, before the SOP policy's copy */
    async lateArrivalCompensation(input: Parameters<typeof feeDisputeActivities.lateArrivalCompensation>[0], meta?: ActionMeta) {
      const mismatch = await ownerMismatch(input.order, input.language, meta);
      const policy = withLateBands(input.policy, await lateBandsFor(db, input.order));
      const proposal = mismatch ? { ...mismatch, lateMinutes: 0 } : await net(await feeDisputeActivities.lateArrivalCompensation({ ...input, policy }), input.order, input.language);
      return cite(proposal, 'late-compensation', 'late_arrival', input.language, meta);
    },
  };
}
