// Knowledge-base activities: past cases written when a ticket closes or is rated (called by the store, no workflow change)
// and the findSimilarCases action for SOPs and the console.
import { eq } from 'drizzle-orm';
import { caseArticle } from '../domain/kb-case';
import type { Database } from '../schema';
import { similarCases, type SimilarCase } from '../schema/kb-cases';
import { saveArticleVersion } from '../schema/kb-repository';
import { ticketMetrics, tickets } from '../schema/tables';

export const CASE_AUTHOR = 'system:cases';

/** Writes the case of a closed ticket with its rating: a new version only when something changed (retries and replays add nothing). */
export async function recordCase(db: Database, ticketId: string): Promise<void> {
  const [row] = await db
    .select({ ticket: tickets, rating: ticketMetrics.rating, ratingLow: ticketMetrics.ratingLow })
    .from(tickets)
    .leftJoin(ticketMetrics, eq(ticketMetrics.ticketId, tickets.id))
    .where(eq(tickets.id, ticketId));
  const ticket = row?.ticket;
  if (!ticket || ticket.status !== 'closed' || !ticket.closedAt) return;
  const rating = row.rating === null ? null : { score: row.rating, low: row.ratingLow === true };
  await saveArticleVersion(db, caseArticle({ ...ticket, resolution: ticket.resolution as Record<string, unknown> | null, closedAt: ticket.closedAt, rating }), CASE_AUTHOR, { onlyIfChanged: true });
}

export type { SimilarCase };

export function createKbActivities(db: Database) {
  return {
    /** Past cases like the text, within the SOP type when given: resolved ones first, then by similarity. */
    async findSimilarCases(input: { text: string; sopType?: string; limit?: number }): Promise<{ cases: SimilarCase[] }> {
      return { cases: await similarCases(db, input) };
    },
  };
}
