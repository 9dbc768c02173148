// The queue as the ticket events say it is: called by recordProgress in the same transaction as the
// event, so the queue never disagrees with the history. Every update is guarded by seq: an activity
// retried late (or an update handler's event written after a newer one) never undoes a newer event.
import { and, eq, lt, ne, sql } from 'drizzle-orm';
import { queueItems, sopVersions, tickets, type Database } from '../schema';
import { parseDuration } from '../sops/duration';
import type { SopDocument } from '../sops/types';
import type { ProgressRecord } from './store';

type Policy = Record<string, number | string | boolean>;

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
type QueueChange = Partial<typeof queueItems.$inferInsert>;

const str = (v: unknown) => (typeof v === 'string' && v ? v : null);

/** What an event on the row's own step changes; undefined for events that change nothing. */
function changeOf(p: ProgressRecord, at: Date): QueueChange | undefined {
  const d = p.data;
  switch (p.kind) {
    case 'decided':
      return { state: 'done', holder: null, assignmentId: null, confirmed: false };
    case 'sla_breached':
      return { breached: true };
    case 'escalated':
      // the step now waits for the receiving group, without a clock, and nobody holds it. `breached` stays what the
      // `sla_breached` event before a breach escalation made it: an agent's escalation is not a breach. The first
      // group's step silence rule stays behind: the receiving group's own rule applies.
      return { group: str(d.to) ?? undefined, deadline: null, pausedAt: null, holder: null, assignmentId: null, confirmed: false, claimedAt: null, data: {} };
    case 'assigned':
      return { holder: str(d.agentId), assignmentId: str(d.assignmentId), confirmed: true, lastActionAt: at, silenceFiredAt: null };
    case 'transferred':
      return { holder: str(d.to), assignmentId: str(d.assignmentId), confirmed: true, claimedAt: at, lastActionAt: at, silenceFiredAt: null };
    case 'info_requested':
      // the time left as the workflow's own clock had it: the queue shows what the live view shows
      return { pausedAt: at, lastActionAt: at, ...(typeof d.remainingMs === 'number' ? { deadline: new Date(at.getTime() + d.remainingMs) } : {}) };
    case 'info_received':
      return { pausedAt: null, deadline: str(d.deadline) ? new Date(d.deadline as string) : null };
    case 'reminded':
      return { silenceFiredAt: at };
    case 'released':
      return RELEASE_CHANGE;
    case 'notified':
      return d.reason === 'holder_silent' ? { silenceFiredAt: at } : undefined;
    default:
      return undefined;
  }
}

/**
 * The step's own silence rule (`silence: {after, action}` on a human_task), its duration resolved with the SOP's
 * policy and this environment's overrides, as the ticket's workflow resolves its SLA. Read from the ticket's
 * published SOP version when the step is entered, so the rule reaches the queue without a workflow change.
 */
async function stepSilence(tx: Tx, ticketId: string, stepId: string, overrides: Policy): Promise<{ ms: number; action: string } | null> {
  const [row] = await tx
    .select({ document: sopVersions.document })
    .from(tickets)
    .innerJoin(sopVersions, and(eq(sopVersions.type, tickets.sopType), eq(sopVersions.version, tickets.sopVersion)))
    .where(eq(tickets.id, ticketId));
  const doc = row?.document as SopDocument | undefined;
  const step = doc?.steps && Object.prototype.hasOwnProperty.call(doc.steps, stepId) ? doc.steps[stepId] : undefined;
  if (step?.kind !== 'human_task' || !step.silence) return null;
  try {
    return { ms: parseDuration(step.silence.after, { ...doc!.policy, ...overrides }), action: step.silence.action };
  } catch {
    return null; // published documents are validated; an override that breaks the duration leaves the group's rule
  }
}

export async function projectQueue(tx: Tx, p: ProgressRecord, at: Date, overrides: Policy = {}): Promise<void> {
  const newer = and(eq(queueItems.ticketId, p.ticketId), lt(queueItems.seq, p.seq));
  if (p.kind === 'entered' && typeof p.data.group === 'string') {
    const silence = await stepSilence(tx, p.ticketId, p.step, overrides);
    const entry = {
      group: p.data.group,
      step: p.step,
      state: 'queued' as const,
      seq: p.seq,
      priority: sql`(select ${tickets.priority} from ${tickets} where ${tickets.id} = ${p.ticketId})`,
      enteredAt: at,
      deadline: typeof p.data.deadline === 'string' ? new Date(p.data.deadline) : null,
      pausedAt: null,
      breached: false,
      holder: null,
      assignmentId: null,
      claimedAt: null,
      confirmed: false,
      lastActionAt: null,
      silenceFiredAt: null,
      // the step's silence rule overrides the group's (schema/dispatch-repository.ts silentHoldings)
      data: silence ? { silence } : {},
    };
    await tx
      .insert(queueItems)
      .values({ ticketId: p.ticketId, ...entry, priority: entry.priority as unknown as number })
      .onConflictDoUpdate({ target: queueItems.ticketId, set: entry as never, setWhere: lt(queueItems.seq, p.seq) });
    return;
  }
  // any event of another step: the ticket moved on and left the queue
  await tx.update(queueItems).set({ state: 'done', seq: p.seq, holder: null, assignmentId: null, confirmed: false }).where(and(newer, eq(queueItems.state, 'queued'), ne(queueItems.step, p.step)));
  const change = changeOf(p, at);
  if (!change) return;
  const sameHolding = p.kind === 'released' ? [eq(queueItems.assignmentId, String(p.data.assignmentId ?? ''))] : [];
  await tx
    .update(queueItems)
    .set({ ...change, seq: p.seq })
    .where(and(newer, eq(queueItems.state, 'queued'), eq(queueItems.step, p.step), ...sameHolding));
}

/** 'released' clears the holder only of the holding it names (a newer claim is left alone). */
export const RELEASE_CHANGE: QueueChange = { holder: null, assignmentId: null, confirmed: false, claimedAt: null, lastActionAt: null, silenceFiredAt: null };
