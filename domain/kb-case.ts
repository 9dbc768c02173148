// Past cases: a closed ticket as a knowledge-base article of kind `case` — the problem (personal data masked),
// its classification, SOP and version, the solution, the amount, the outcome and the user's rating — with the
// structured facts in a ```yaml case block that findSimilarCases reads back.
import YAML from 'yaml';
import type { KbArticleInput } from './kb-article';
import { maskText } from './personal-data';

export interface ClosedTicket {
  id: string;
  category: string;
  subtype: string;
  sopType: string;
  sopVersion: number;
  language: string;
  issueText: string;
  resolution: Record<string, unknown> | null;
  closedAt: Date;
  /** the user's rating 1–5 and whether it was low by the SOP's review threshold; null until rated */
  rating: { score: number; low: boolean } | null;
}

export interface CaseFacts {
  ticketId: string;
  category: string;
  subtype: string;
  sopType: string;
  sopVersion: number;
  /** the ticket's resolution code, e.g. resolved */
  outcome: string;
  /** the solution's kind (refund, coupon, explanation, manual_review), if any */
  solution: string | null;
  amountFen: number;
  /** the user's rating 1–5 (null: not rated; absent in cases written before ratings were recorded) */
  rating?: number | null;
  /** the rating was low by the SOP's review threshold: the solution did not satisfy the user */
  ratedLow?: boolean;
}

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;
const CASE_RE = /```ya?ml\s+case\s*\n([\s\S]*?)```/;

export function caseFactsOf(ticket: ClosedTicket): CaseFacts {
  const resolution = ticket.resolution ?? {};
  const solution = (resolution.solution ?? null) as { kind?: string; amountFen?: number } | null;
  const applied = (resolution.applied ?? null) as { amountFen?: number } | null;
  return {
    ticketId: ticket.id,
    category: ticket.category,
    subtype: ticket.subtype,
    sopType: ticket.sopType,
    sopVersion: ticket.sopVersion,
    outcome: typeof resolution.code === 'string' ? resolution.code : 'closed',
    solution: solution?.kind ?? null,
    amountFen: applied?.amountFen ?? solution?.amountFen ?? 0,
    rating: ticket.rating?.score ?? null,
    ratedLow: ticket.rating?.low ?? false,
  };
}

/** The case article of a closed ticket; a ticket closed again after a reopen, or rated, gets a new version of the same article. */
export function caseArticle(ticket: ClosedTicket): KbArticleInput {
  const facts = caseFactsOf(ticket);
  const zh = ticket.language !== 'en';
  const problem = maskText(ticket.issueText).replace(/\s+/g, ' ').trim();
  const title = `${zh ? '案例' : 'Case'} ${ticket.id}: ${problem.slice(0, 60)}`;
  const solutionLine = facts.solution ? `${facts.solution}${facts.amountFen ? ` ${yuan(facts.amountFen)}` : ''}` : '—';
  const body = [
    `# ${title}`,
    '',
    `${zh ? '问题' : 'Problem'}: ${problem}`,
    '',
    `${zh ? '分类' : 'Classification'}: ${ticket.category} / ${ticket.subtype}; SOP ${ticket.sopType} v${ticket.sopVersion}`,
    `${zh ? '处理方案' : 'Solution'}: ${solutionLine}; ${zh ? '结果' : 'outcome'}: ${facts.outcome}`,
    `${zh ? '用户评分' : 'User rating'}: ${facts.rating ? `${facts.rating}/5${facts.ratedLow ? (zh ? '(差评,已转复核)' : ' (low: sent to review)') : ''}` : '—'}`,
    '',
    '```yaml case',
    YAML.stringify(facts).trim(),
    '```',
  ].join('\n');
  return {
    articleId: `case-${ticket.id.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 84),
    pairId: `case-${ticket.id.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 80),
    kind: 'case',
    lang: zh ? 'zh' : 'en',
    title: title.slice(0, 200),
    body,
    tags: [ticket.subtype].filter((t) => t.length <= 60),
    sopTypes: [ticket.sopType],
    categories: [ticket.category],
    effectiveFrom: ticket.closedAt.toISOString(),
  };
}

/** The structured facts of a case article, or null when its body has none. */
export function caseFactsFromBody(body: string): CaseFacts | null {
  const m = CASE_RE.exec(body);
  if (!m) return null;
  try {
    return YAML.parse(m[1]!) as CaseFacts;
  } catch {
    return null;
  }
}
