// The queue as the ticket events say it is: called by recordProgress in the same transaction as the
// event, so the queue never disagrees with the history. Every update is guarded by seq: an activity
// retried late (or an update handler's event written after a newer one) never undoes a newer event.
import { and, eq, lt, ne, sql } from 'drizzle-orm';
import { queueItems, tickets, type Database } from '../schema';
import type { ProgressRecord } from './store';

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
      // a breach escalation: the step now waits for the receiving group, without a clock, and nobody holds it
      return { group: str(d.to) ?? undefined, deadline: null, pausedAt: null, breached: true, holder: null, assignmentId: null, confirmed: false, claimedAt: null };
    case 'assigned':
      return { holder: str(d.agentId), assignmentId: str(d.assignmentId), confirmed: true, lastActionAt: at, silenceFiredAt: null };
    case 'transferred':
      return { holder: str(d.to), assignmentId: str(d.assignmentId), confirmed: true, claimedAt: at, lastActionAt: at, silenceFiredAt: null };
    case 'info_requested':
      return { pausedAt: at, lastActionAt: at };
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

export async function projectQueue(tx: Tx, p: ProgressRecord, at: Date): Promise<void> {
  const newer = and(eq(queueItems.ticketId, p.ticketId), lt(queueItems.seq, p.seq));
  if (p.kind === 'entered' && typeof p.data.group === 'string') {
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
