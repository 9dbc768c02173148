// Knowledge-base activities: past cases written when a ticket closes (called by the store, no workflow change)
// and the findSimilarCases action for SOPs and the console.
import { eq } from 'drizzle-orm';
import { caseArticle, caseFactsFromBody, type CaseFacts } from '../domain/kb-case';
import type { Database } from '../schema';
import { articleInForce, saveArticleVersion, searchKb } from '../schema/kb-repository';
import { tickets } from '../schema/tables';

export const CASE_AUTHOR = 'system:cases';

/** Writes the case of a closed ticket: a new version only when something changed (retries and replays add nothing). */
export async function recordCase(db: Database, ticketId: string): Promise<void> {
  const [ticket] = await db.select().from(tickets).where(eq(tickets.id, ticketId));
  if (!ticket || ticket.status !== 'closed' || !ticket.closedAt) return;
  await saveArticleVersion(db, caseArticle({ ...ticket, resolution: ticket.resolution as Record<string, unknown> | null, closedAt: ticket.closedAt }), CASE_AUTHOR, { onlyIfChanged: true });
}

export interface SimilarCase extends CaseFacts {
  articleId: string;
  title: string;
  score: number;
}

export function createKbActivities(db: Database) {
  return {
    /** Past cases like the text, within the SOP type when given: resolved ones first, then by similarity. */
    async findSimilarCases(input: { text: string; sopType?: string; limit?: number }): Promise<{ cases: SimilarCase[] }> {
      const limit = Math.min(Math.max(input.limit ?? 3, 1), 10);
      const hits = (await searchKb(db, { q: input.text, kind: 'case', type: input.sopType, limit: limit * 3 })) ?? [];
      const found = await Promise.all(
        hits.map(async (h) => {
          const article = await articleInForce(db, h.articleId);
          const facts = article && caseFactsFromBody(article.body);
          return facts ? { ...facts, articleId: h.articleId, title: h.title, score: h.score } : null;
        }),
      );
      const cases = found
        .filter((c): c is SimilarCase => c !== null)
        .sort((a, b) => Number(b.outcome === 'resolved') - Number(a.outcome === 'resolved') || b.score - a.score);
      return { cases: cases.slice(0, limit) };
    },
  };
}
