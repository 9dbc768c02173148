// What one outbox row says: the template's params gathered from the read model (group names, the
// estimate, the proposal, the reopen window) and the links with signed user tokens. Tokens are
// minted here, where the secret is, deterministically per (ticket, wait, purpose): a retry renders
// the very same text, and the SMS and e-mail of one proposal carry the same single-use tokens.
import { createHash } from 'node:crypto';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { formatDuration, formatMoment, noticeLanguage, renderNotice, yuan, type Notice, type NoticeLanguage, type NoticeText } from '../domain/notices';
import { mintUserToken, type UserTokenPurpose } from '../domain/user-token';
import { labelNames, loadTaxonomy } from '../nlp';
import { ticketEvents, type Database, type OutboxRow } from '../schema';
import { getSopVersion } from '../schema/sop-repository';
import type { Estimate } from './estimates';

export interface TicketForNotice {
  id: string;
  userId: string;
  language: string;
  category: string;
  subtype: string;
  sopType: string;
  sopVersion: number;
  skillGroup: string;
}

export interface RenderedNotice extends NoticeText {
  language: NoticeLanguage;
  /** the page the user answers on (with its tokens in the fragment), for SMS and e-mail */
  link?: string;
  /** what the in-app message lets the user do with the app's own credentials */
  actions: string[];
  /** set when the notice has nothing left to say (a confirmation wait already past its deadline) */
  obsolete?: string;
}

export interface ContentDeps {
  db: Database;
  userTokenSecret?: string;
  publicUrl: string;
  sopPolicyOverrides: Record<string, number | string | boolean>;
  /** a rating at or below this asks for a reason (the page learns it from the link) */
  reviewThreshold: number;
  estimate: (sopType: string, group: string) => Promise<Estimate>;
}

const DEFAULT_REOPEN_WINDOW_MS = 7 * 24 * 3_600_000;

const groupName = (group: string, lang: NoticeLanguage) => {
  const names = loadTaxonomy().skillGroups[group] as { zh: string; en: string } | undefined;
  if (names) return names[lang];
  return group === 'supervisor_group' ? (lang === 'zh' ? '主管组' : 'Supervisors') : group;
};

/** A token id derived from what it answers: the same link every time it is rendered. */
const tokenIdOf = (ticketId: string, waitSeq: number, purpose: UserTokenPurpose) => createHash('sha256').update(`${ticketId}:${waitSeq}:${purpose}`).digest('base64url').slice(0, 24);

export function createNoticeContent(deps: ContentDeps) {
  async function reopenWindowMs(ticket: TicketForNotice): Promise<number> {
    const override = deps.sopPolicyOverrides.reopenWindow;
    if (typeof override === 'number') return override;
    const sop = await getSopVersion(deps.db, ticket.sopType, ticket.sopVersion);
    const value = (sop?.document as { policy?: Record<string, unknown> } | undefined)?.policy?.reopenWindow;
    return typeof value === 'number' ? value : DEFAULT_REOPEN_WINDOW_MS;
  }

  /** the latest proposed solution before the wait: amount and reason in the user's language */
  async function proposalText(ticket: TicketForNotice, beforeSeq: number, lang: NoticeLanguage): Promise<string> {
    const [event] = await deps.db
      .select({ data: ticketEvents.data })
      .from(ticketEvents)
      .where(and(eq(ticketEvents.ticketId, ticket.id), lt(ticketEvents.seq, beforeSeq), sql`${ticketEvents.data}->'result' ? 'solution'`))
      .orderBy(desc(ticketEvents.seq))
      .limit(1);
    const result = (event?.data as { result?: { solution?: Record<string, unknown>; message?: unknown } } | undefined)?.result;
    return describeSolution(result?.solution, lang);
  }

  async function mint(ticket: TicketForNotice, purpose: UserTokenPurpose, waitSeq: number, issuedAt: Date, expiresAt: Date): Promise<string> {
    if (!deps.userTokenSecret) throw new Error('USER_TOKEN_SECRET is not set: links in notices cannot be signed');
    const { token } = await mintUserToken(deps.userTokenSecret, {
      userId: ticket.userId,
      ticketId: ticket.id,
      purpose,
      ...(purpose === 'confirm' || purpose === 'reject' ? { waitSeq } : {}),
      tokenId: tokenIdOf(ticket.id, waitSeq, purpose),
      issuedAt,
      expiresAt,
    });
    return token;
  }

  return async function render(row: OutboxRow, ticket: TicketForNotice, now = new Date()): Promise<RenderedNotice> {
    const lang = noticeLanguage(ticket.language);
    const p = row.params;
    const params: Record<string, string | number | undefined> = { ticketId: ticket.id };
    const notice = row.notice as Notice;
    let link: string | undefined;
    let actions: string[] = [];
    const eta = async (group: string) => {
      const e = await deps.estimate(ticket.sopType, group);
      params.eta = formatDuration(e.ms, lang);
      params.etaAt = formatMoment(new Date(row.createdAt.getTime() + e.ms), lang);
    };
    switch (notice) {
      case 'received':
        await eta(ticket.skillGroup);
        break;
      case 'assigned':
      case 'escalated': {
        const group = String(p.group ?? ticket.skillGroup);
        params.groupName = groupName(group, lang);
        await eta(group);
        break;
      }
      case 'proposed': {
        const deadline = typeof p.deadline === 'string' ? new Date(p.deadline) : null;
        if (!deadline || deadline.getTime() <= now.getTime()) return { title: '', body: '', language: lang, actions: [], obsolete: 'the confirmation wait has passed its deadline' };
        params.deadline = formatMoment(deadline, lang);
        params.solution = await proposalText(ticket, row.eventSeq, lang);
        const [c, r] = await Promise.all([mint(ticket, 'confirm', row.eventSeq, row.createdAt, deadline), mint(ticket, 'reject', row.eventSeq, row.createdAt, deadline)]);
        link = `${deps.publicUrl}/confirm/#ticket=${encodeURIComponent(ticket.id)}&confirm=${c}&reject=${r}`;
        actions = ['confirm', 'reject'];
        break;
      }
      case 'resolved': {
        params.topic = labelNames(`${ticket.category}/${ticket.subtype}`)?.category[lang] ?? ticket.category;
        params.outcome = outcomeText(p, lang);
        params.reopenUntil = formatMoment(new Date(row.createdAt.getTime() + (await reopenWindowMs(ticket))), lang);
        actions = ['reopen'];
        break;
      }
      case 'survey': {
        const until = new Date(row.createdAt.getTime() + (await reopenWindowMs(ticket)));
        params.surveyUntil = formatMoment(until, lang);
        if (until.getTime() <= now.getTime()) return { title: '', body: '', language: lang, actions: [], obsolete: 'the survey window has closed' };
        const token = await mint(ticket, 'rate', row.eventSeq, row.createdAt, until);
        link = `${deps.publicUrl}/confirm/#ticket=${encodeURIComponent(ticket.id)}&rate=${token}&low=${deps.reviewThreshold}`;
        actions = ['rate'];
        break;
      }
      case 'notice':
        params.message = String(p.message ?? '');
        break;
    }
    return { ...renderNotice(notice, lang, params), language: lang, actions, ...(link ? { link } : {}) };
  };
}

export function describeSolution(solution: Record<string, unknown> | undefined, lang: NoticeLanguage): string {
  if (!solution) return lang === 'zh' ? '详见工单。' : 'see your ticket.';
  const amount = typeof solution.amountFen === 'number' ? yuan(solution.amountFen) : '';
  const reason = typeof solution.reason === 'string' && lang === 'en' ? ` (${solution.reason})` : '';
  switch (solution.kind) {
    case 'refund':
      return lang === 'zh' ? `退还${amount}。` : `a refund of ${amount}${reason}.`;
    case 'coupon':
      return lang === 'zh' ? `赠送${amount}优惠券。` : `a ${amount} coupon${reason}.`;
    default:
      return lang === 'zh' ? '核实说明(无需退款)。' : `an explanation${reason}.`;
  }
}

function outcomeText(p: Record<string, unknown>, lang: NoticeLanguage): string {
  if (typeof p.amountFen !== 'number' || p.amountFen <= 0) return '';
  const amount = yuan(p.amountFen);
  if (p.solutionKind === 'coupon') return lang === 'zh' ? `${amount}优惠券已发放到您的账户。` : `A ${amount} coupon is in your account. `;
  return lang === 'zh' ? `退款${amount}将于24小时内到账。` : `The refund of ${amount} reaches you within 24 hours. `;
}
