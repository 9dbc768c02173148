import { classifyFeedback } from '../nlp';
import type { Database } from '../schema';
import { countRecentContacts } from './store';
import type { IntakeClassification, IntakeRequest } from '../workflows/types';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** Classifies and splits the message; repeat contacts of the last 7 days come from the read model. */
export function createIntakeActivities(db: Database) {
  return {
    async classifyIntake(request: IntakeRequest): Promise<IntakeClassification> {
      const since = new Date(Date.parse(request.receivedAt) - WEEK_MS);
      const recentContacts = await countRecentContacts(db, request.userId, request.orderId, since);
      const result = classifyFeedback({ text: request.text, language: request.language, userTier: request.userTier, recentContacts });
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
