import { classifyFeedback, type ClassifyResult } from '../nlp';
import type { Database } from '../schema';
import type { IntakeClassification, IntakeRequest } from '../workflows/types';
import { countRecentContacts } from './store';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

export interface ClassificationInput {
  text: string;
  language?: 'zh' | 'en';
  userTier?: IntakeRequest['userTier'];
  userId?: string;
  orderId?: string;
  /** when the message arrived: repeat contacts are counted over the 7 days before */
  at?: string;
}

/** The one classification path, shared by intake and POST /v1/classify: repeat contacts come from the read model. */
export async function classifyWithHistory(db: Database, input: ClassificationInput): Promise<ClassifyResult> {
  const since = new Date(Date.parse(input.at ?? new Date().toISOString()) - WEEK_MS);
  const recentContacts = input.userId ? await countRecentContacts(db, input.userId, input.orderId, since) : 0;
  return classifyFeedback({ text: input.text, language: input.language, userTier: input.userTier, recentContacts });
}

export function createIntakeActivities(db: Database) {
  return {
    async classifyIntake(request: IntakeRequest): Promise<IntakeClassification> {
      const result = await classifyWithHistory(db, { ...request, at: request.receivedAt });
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
