// The one classification path, shared by the intake activity and POST /v1/classify: the classifier plus
// what the read model knows about the user's recent contacts (a repeat contact raises priority).
import { sql } from 'drizzle-orm';
import { classifyFeedback, type ClassifyResult } from '../nlp';
import type { IntakeRequest } from '../workflows/types';
import type { Database } from './db';
import { tickets } from './tables';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** Requests of the same user or about the same order since a date: repeat contact raises priority. */
export async function countRecentContacts(db: Database, userId: string, orderId: string | undefined, since: Date): Promise<number> {
  const orderMatch = orderId ? sql` or ${tickets.orderId} = ${orderId}` : sql``;
  const [row] = await db
    .select({ n: sql<number>`count(distinct ${tickets.requestId})::int` })
    .from(tickets)
    .where(sql`${tickets.createdAt} >= ${since.toISOString()} and (${tickets.userId} = ${userId}${orderMatch})`);
  return row?.n ?? 0;
}

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

/** Classifies with the repeat contacts of the 7 days before the message. */
export async function classifyWithHistory(db: Database, input: ClassificationInput): Promise<ClassifyResult> {
  const since = new Date(Date.parse(input.at ?? new Date().toISOString()) - WEEK_MS);
  const recentContacts = input.userId ? await countRecentContacts(db, input.userId, input.orderId, since) : 0;
  return classifyFeedback({ text: input.text, language: input.language, userTier: input.userTier, recentContacts, orderValueFen: input.orderValueFen });
}
