import { classifyFeedback, type ClassifyResult } from '../nlp';
import type { OrderSystem } from '../integrations/orders';
import type { Database } from '../schema';
import type { IntakeClassification, IntakeRequest } from '../workflows/types';
import { countRecentContacts } from './store';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
const ORDER_VALUE_WAIT_MS = 2_000;

export interface ClassificationInput {
  text: string;
  language?: 'zh' | 'en';
  userTier?: IntakeRequest['userTier'];
  userId?: string;
  orderId?: string;
  /** when the message arrived: repeat contacts are counted over the 7 days before */
  at?: string;
  /** the order's total, fen: a valuable order raises priority */
  orderValueFen?: number;
}

/** The one classification path, shared by intake and POST /v1/classify: repeat contacts come from the read model. */
export async function classifyWithHistory(db: Database, input: ClassificationInput): Promise<ClassifyResult> {
  const since = new Date(Date.parse(input.at ?? new Date().toISOString()) - WEEK_MS);
  const recentContacts = input.userId ? await countRecentContacts(db, input.userId, input.orderId, since) : 0;
  return classifyFeedback({ text: input.text, language: input.language, userTier: input.userTier, recentContacts, orderValueFen: input.orderValueFen });
}

/** Best effort: an unreachable order system must not hold up intake, it only costs the order-value factor. */
async function orderValueOf(orders: OrderSystem, orderId: string | undefined): Promise<number | undefined> {
  if (!orderId) return undefined;
  const giveUp = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ORDER_VALUE_WAIT_MS).unref());
  return Promise.race([orders.getOrder(orderId).then((order) => order?.total, () => undefined), giveUp]);
}

export function createIntakeActivities(db: Database, orders: OrderSystem) {
  return {
    async classifyIntake(request: IntakeRequest): Promise<IntakeClassification> {
      const orderValueFen = await orderValueOf(orders, request.orderId);
      const result = await classifyWithHistory(db, { ...request, at: request.receivedAt, orderValueFen });
      return {
        language: result.language,
        issues: result.issues.map((issue) => ({
          category: issue.category,
          subtype: issue.subtype,
          skillGroup: issue.skillGroup,
          confidence: issue.confidence,
          priority: issue.priority,
          priorityFactors: issue.factors,
          issueText: issue.span.text,
          orderIds: issue.entities.orderIds,
          claim: { namedItems: issue.entities.feeItems, amountsFen: issue.entities.amounts.map((a) => a.fen) },
        })),
      };
    },
  };
}
