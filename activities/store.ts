// The one writer of the read model. Every write is idempotent so activity retries are harmless:
// inserts skip rows that exist, events are keyed by (ticket, seq).
import { eq } from 'drizzle-orm';
import { withoutPersonalData } from '../domain/personal-data';
import { deliveryOutbox, intakeRequests, ticketEvents, tickets, type Database, type TicketStatus } from '../schema';
import { refreshTicketAnalytics } from '../schema/analytics-refresh';
import { recordCase } from './kb';
import { projectQueue } from './queue-projection';
import type { UserTier } from '../integrations/types';
import type { IntakeRequest, PlannedTicket } from '../workflows/types';
import { outboxRows } from './outbox';

/** Who and what a ticket is about, from the read model: paying and matching activities trust this, not their inputs. */
export interface TicketParty {
  userId: string;
  orderId: string | null;
  sopType: string;
  sopVersion: number;
  /** when the ticket started: the time its policy's rate-table values were read */
  createdAt: Date;
}

export async function readTicketParty(db: Database, ticketId: string): Promise<TicketParty | null> {
  const [row] = await db
    .select({ userId: tickets.userId, orderId: tickets.orderId, sopType: tickets.sopType, sopVersion: tickets.sopVersion, createdAt: tickets.createdAt })
    .from(tickets)
    .where(eq(tickets.id, ticketId));
  return row ?? null;
}

export interface ProgressRecord {
  ticketId: string;
  seq: number;
  at: string;
  step: string;
  kind: string;
  actor: string;
  data: Record<string, unknown>;
  status?: TicketStatus;
  resolution?: Record<string, unknown>;
  /** the queue the ticket moves to (human tasks, escalations) */
  skillGroup?: string;
  /** the SOP it continues under (triage rerouting) */
  sop?: { type: string; version: number };
  /** the SOP the event ran under and its step's kind (null outside the steps); absent from workflows older than issue 21 */
  ranUnder?: { type: string; version: number; stepKind: string | null };
}

/** An older workflow passes no `ranUnder`: the ticket's SOP before this write's change is the one the event ran under. */
async function ranUnderFromTicket(tx: Pick<Database, 'select'>, ticketId: string): Promise<ProgressRecord['ranUnder']> {
  const party = await readTicketParty(tx as Database, ticketId);
  return party ? { type: party.sopType, version: party.sopVersion, stepKind: null } : undefined;
}

/** Internal tickets (reviews of low ratings, anomaly alerts) tell the user nothing: they are a team's own work. */
const INTERNAL_SOPS = ['review', 'anomaly_alert'];
async function isInternalTicket(tx: Pick<Database, 'select'>, ticketId: string): Promise<boolean> {
  const [row] = await tx.select({ sopType: tickets.sopType }).from(tickets).where(eq(tickets.id, ticketId));
  return !!row && INTERNAL_SOPS.includes(row.sopType);
}

/** `sopPolicyOverrides`: this environment's policy values, for durations the queue resolves (a step's silence rule). */
export function createStoreActivities(db: Database, sopPolicyOverrides: Record<string, number | string | boolean> = {}) {
  return {
    /** Stores the request and all its tickets in one transaction, each with a `created` event (seq 0). */
    /** `userTier` is the user system's tier (older intakes pass none: the request's claim is kept). */
    async createTickets({ request, language, userTier, tickets: planned }: { request: IntakeRequest; language: string; userTier?: UserTier; tickets: PlannedTicket[] }): Promise<void> {
      await db.transaction(async (tx) => {
        await tx
          .insert(intakeRequests)
          .values({ requestId: request.requestId, userId: request.userId, channel: request.channel, language, text: request.text, createdAt: new Date(request.receivedAt) })
          .onConflictDoNothing();
        for (const t of planned) {
          await tx
            .insert(tickets)
            .values({
              id: t.id,
              requestId: request.requestId,
              workflowId: t.workflowId,
              category: t.category,
              subtype: t.subtype,
              skillGroup: t.skillGroup,
              priority: t.priority,
              priorityFactors: t.priorityFactors,
              status: t.status,
              channel: request.channel,
              userId: request.userId,
              userTier: userTier ?? request.userTier,
              orderId: t.orderId ?? null,
              region: request.region ?? null,
              appVersion: request.appVersion ?? null,
              language: t.language,
              originalText: request.text,
              issueText: t.issueText,
              sopType: t.sopType,
              sopVersion: t.sopVersion,
              createdAt: new Date(request.receivedAt),
              updatedAt: new Date(request.receivedAt),
            })
            .onConflictDoNothing();
          await tx
            .insert(ticketEvents)
            .values({ ticketId: t.id, seq: 0, step: 'intake', kind: 'created', actor: `channel:${request.channel}`, data: { requestId: request.requestId, category: t.category, subtype: t.subtype, priority: t.priority }, at: new Date(request.receivedAt), sopType: t.sopType, sopVersion: t.sopVersion })
            .onConflictDoNothing();
          // the "received" notice, queued with its event (the delivery drain sends it)
          const notices = outboxRows(t.id, 0, { kind: 'created', data: {} });
          if (notices.length) await tx.insert(deliveryOutbox).values(notices).onConflictDoNothing();
        }
        await refreshTicketAnalytics(tx, planned.map((t) => t.id));
      });
    },

    /**
     * Appends one event and moves the ticket's current step (and status) in one transaction.
     * Events and resolutions are read by many: phone numbers, addresses and coupon codes stay out.
     */
    async recordProgress(p: ProgressRecord): Promise<void> {
      const at = new Date(p.at);
      const data = withoutPersonalData(p.data);
      const resolution = p.resolution && withoutPersonalData(p.resolution);
      await db.transaction(async (tx) => {
        const ranUnder = p.ranUnder ?? (await ranUnderFromTicket(tx, p.ticketId));
        const inserted = await tx
          .insert(ticketEvents)
          .values({ ticketId: p.ticketId, seq: p.seq, step: p.step, kind: p.kind, actor: p.actor, data, at, sopType: ranUnder?.type, sopVersion: ranUnder?.version, stepKind: ranUnder?.stepKind })
          .onConflictDoNothing()
          .returning({ seq: ticketEvents.seq });
        // notices to the user leave through the outbox, written with their event (a retried write queues nothing twice)
        const notices = inserted.length ? outboxRows(p.ticketId, p.seq, { kind: p.kind, data }) : [];
        if (notices.length && !(await isInternalTicket(tx, p.ticketId))) await tx.insert(deliveryOutbox).values(notices).onConflictDoNothing();
        await tx
          .update(tickets)
          .set({
            currentStep: p.step,
            updatedAt: at,
            ...(p.status ? { status: p.status } : {}),
            ...(p.status === 'closed' ? { closedAt: at } : {}),
            ...(resolution ? { resolution } : {}),
            ...(p.skillGroup ? { skillGroup: p.skillGroup } : {}),
            ...(p.sop ? { sopType: p.sop.type, sopVersion: p.sop.version } : {}),
          })
          .where(eq(tickets.id, p.ticketId));
        await projectQueue(tx, p, at, sopPolicyOverrides);
        // after the ticket row's update: its lock orders concurrent writes of one ticket, so each recomputation sees the events before it
        if (inserted.length) await refreshTicketAnalytics(tx, [p.ticketId]);
      });
      // a closed ticket becomes a past case in the knowledge base, and its rating joins it (idempotent: a retry adds no version)
      if (p.status === 'closed' || p.kind === 'rated') await recordCase(db, p.ticketId);
    },
  };
}

