// Past cases like a text (closed tickets written to the knowledge base as `case` articles): one lookup for
// the findSimilarCases action (activities/kb.ts) and the console's read-only route (GET /v1/tickets/:id/similar-cases).
import { caseFactsFromBody, type CaseFacts } from '../domain/kb-case';
import type { Database } from './db';
import { articleInForce, searchKb } from './kb-repository';

export interface SimilarCase extends CaseFacts {
  articleId: string;
  title: string;
  score: number;
}

/**
 * Past cases like the text, within the SOP type when given; at most `limit` (1–10, default 3). Resolved ones first,
 * and among those the ones whose user did not rate them low (a solution that left the user unhappy is a poorer model),
 * then by similarity.
 */
export async function similarCases(db: Database, input: { text: string; sopType?: string; limit?: number; exceptTicketId?: string }): Promise<SimilarCase[]> {
  const limit = Math.min(Math.max(input.limit ?? 3, 1), 10);
  const hits = (await searchKb(db, { q: input.text, kind: 'case', type: input.sopType, limit: limit * 3 })) ?? [];
  const found = await Promise.all(
    hits.map(async (h) => {
      const article = await articleInForce(db, h.articleId);
      const facts = article && caseFactsFromBody(article.body);
      return facts ? { ...facts, articleId: h.articleId, title: h.title, score: h.score } : null;
    }),
  );
  return found
    .filter((c): c is SimilarCase => c !== null && c.ticketId !== input.exceptTicketId)
    .sort((a, b) => Number(b.outcome === 'resolved') - Number(a.outcome === 'resolved') || Number(a.ratedLow === true) - Number(b.ratedLow === true) || b.score - a.score)
    .slice(0, limit);
}
