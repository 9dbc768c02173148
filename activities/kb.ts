// Knowledge-base activities: past cases written when a ticket closes (called by the store, no workflow change)
// and the findSimilarCases action for SOPs and the console.
import { eq } from 'drizzle-orm';
import { caseArticle } from '../domain/kb-case';
import type { Database } from '../schema';
import { similarCases, type SimilarCase } from '../schema/kb-cases';
import { saveArticleVersion } from '../schema/kb-repository';
import { tickets } from '../schema/tables';

export const CASE_AUTHOR = 'system:cases';

/** Writes the case of a closed ticket: a new version only when something changed (retries and replays add nothing). */
export async function recordCase(db: Database, ticketId: string): Promise<void> {
  const [ticket] = await db.select().from(tickets).where(eq(tickets.id, ticketId));
  if (!ticket || ticket.status !== 'closed' || !ticket.closedAt) return;
  await saveArticleVersion(db, caseArticle({ ...ticket, resolution: ticket.resolution as Record<string, unknown> | null, closedAt: ticket.closedAt }), CASE_AUTHOR, { onlyIfChanged: true });
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
