import type { OrderSystem } from '../integrations/orders';
import type { UserTier } from '../integrations/types';
import type { UserSystem } from '../integrations/users';
import type { Database } from '../schema';
import type { IntakeClassification, IntakeRequest } from '../workflows/types';
import { classifyWithHistory } from '../schema/contact-history';

const LOOKUP_WAIT_MS = 2_000;
/** what a user unknown to the user system, or an unreachable user system, counts as */
export const DEFAULT_USER_TIER: UserTier = 'standard';


/** Best effort: an unreachable external system must not hold up intake, it only costs a priority factor. */
function bestEffort<T>(read: () => Promise<T>): Promise<T | undefined> {
  const giveUp = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), LOOKUP_WAIT_MS).unref());
  return Promise.race([read().catch(() => undefined), giveUp]);
}

/** The caller's claimed tier is only a hint for agents: a zero-point factor, shown when it disagrees. */
function claimedTierHint(claimed: UserTier, verified: UserTier, known: boolean) {
  if (claimed === DEFAULT_USER_TIER || claimed === verified) return [];
  const source = known ? 'user system' : 'user system unavailable or user unknown, default';
  return [{ factor: 'claimed_tier', points: 0, detail: `caller claims ${claimed}; ${source}: ${verified}` }];
}

export function createIntakeActivities(db: Database, orders: OrderSystem, users: UserSystem) {
  return {
    /** The user's tier comes from the user system (not the request); it is returned so the tickets carry it. */
    async classifyIntake(request: IntakeRequest): Promise<IntakeClassification> {
      const [orderValueFen, profile] = await Promise.all([
        request.orderId ? bestEffort(() => orders.getOrder(request.orderId!).then((order) => order?.total)) : undefined,
        bestEffort(() => users.getUser(request.userId)),
      ]);
      const userTier = profile?.tier ?? DEFAULT_USER_TIER;
      const hint = claimedTierHint(request.userTier, userTier, !!profile);
      const result = await classifyWithHistory(db, { ...request, userTier, at: request.receivedAt, orderValueFen });
      return {
        language: result.language,
        userTier,
        issues: result.issues.map((issue) => ({
          category: issue.category,
          subtype: issue.subtype,
          skillGroup: issue.skillGroup,
          confidence: issue.confidence,
          priority: issue.priority,
          priorityFactors: [...issue.factors, ...hint],
          issueText: issue.span.text,
          orderIds: issue.entities.orderIds,
          claim: { namedItems: issue.entities.feeItems, amountsFen: issue.entities.amounts.map((a) => a.fen) },
        })),
      };
    },
  };
}
