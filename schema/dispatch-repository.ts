// Claims on the queue (issue 18): each claim locks the agent's profile (one agent's pulls run one at
// a time, so capacity holds) and takes a queue row with FOR UPDATE SKIP LOCKED (concurrent pulls
// never wait for, nor take, the same row). The API and the dispatcher then ask the ticket workflow to
// assign; the workflow's `assigned` event confirms the claim (activities/queue-projection.ts).
import { randomUUID } from 'node:crypto';
import { and, asc, count, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { DEFAULT_GROUP_POLICY, DEFAULT_MAX_CONCURRENT, MAX_PRIORITY, type GroupPolicy } from '../domain/dispatch';
import type { Database } from './db';
import { agentProfiles, groupPolicies, queueItems, staff, tickets, type SilenceAction } from './tables';

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

export type ClaimResult =
  | { kind: 'claimed'; ticketId: string; assignmentId: string; group: string }
  | { kind: 'empty' }
  | { kind: 'capacity'; held: number; max: number }
  | { kind: 'not_agent' }
  | { kind: 'not_queued' }
  | { kind: 'held'; holder: string }
  | { kind: 'not_skilled'; group: string };

/** how many of the best unheld rows a pull looks at before the full query (more than the pulls at once, typically) */
const CANDIDATES = 64;

export const newAssignmentId = () => `asg_${randomUUID()}`;

/** least(100, priority + floor(waited / agingMs)): aging computed when read, so nothing starves (float8: numeric math is slow per row). */
export function effectivePrioritySql(now: Date) {
  return sql<number>`least(${MAX_PRIORITY}, ${queueItems.priority} + floor(greatest(0, extract(epoch from (${now.toISOString()}::timestamptz - ${queueItems.enteredAt}))::float8 * 1000) / coalesce(${groupPolicies.agingMs}, ${DEFAULT_GROUP_POLICY.agingMs})))::int`;
}
/** the SLA time left in ms (frozen while paused), null without SLA */
function remainingSql(now: Date) {
  return sql<number | null>`(extract(epoch from (${queueItems.deadline} - coalesce(${queueItems.pausedAt}, ${now.toISOString()}::timestamptz))) * 1000)::bigint`;
}
const queueOrder = (now: Date) => [desc(effectivePrioritySql(now)), sql`${queueItems.deadline} asc nulls last`, asc(queueItems.enteredAt), asc(queueItems.ticketId)];
const active = eq(queueItems.state, 'queued');

async function lockAgent(tx: Tx, agentId: string) {
  const [profile] = await tx.select().from(agentProfiles).where(eq(agentProfiles.staffId, agentId)).for('update');
  if (!profile) return null;
  const [held] = await tx.select({ n: count() }).from(queueItems).where(and(active, eq(queueItems.holder, agentId)));
  return { profile, held: held?.n ?? 0 };
}

async function take(tx: Tx, ticketId: string, agentId: string, group: string, now: Date): Promise<ClaimResult> {
  const assignmentId = newAssignmentId();
  await tx.update(queueItems).set({ holder: agentId, assignmentId, claimedAt: now, confirmed: false, lastActionAt: now, silenceFiredAt: null }).where(eq(queueItems.ticketId, ticketId));
  await tx.update(agentProfiles).set({ lastAssignedAt: now }).where(eq(agentProfiles.staffId, agentId));
  return { kind: 'claimed', ticketId, assignmentId, group };
}

/** The next ticket of the agent's groups, by effective priority then deadline. */
export async function claimNext(db: Database, agentId: string, opts: { group?: string } = {}, now = new Date()): Promise<ClaimResult> {
  return db.transaction(async (tx) => {
    const agent = await lockAgent(tx, agentId);
    if (!agent) return { kind: 'not_agent' };
    if (agent.held >= agent.profile.maxConcurrent) return { kind: 'capacity', held: agent.held, max: agent.profile.maxConcurrent };
    const groups = opts.group ? agent.profile.groups.filter((g) => g === opts.group) : agent.profile.groups;
    if (!groups.length) return { kind: 'empty' };
    const unheld = and(active, isNull(queueItems.holder), inArray(queueItems.group, groups));
    const pick = (among?: ReturnType<typeof sql>) =>
      tx
        .select({ ticketId: queueItems.ticketId, group: queueItems.group })
        .from(queueItems)
        .leftJoin(groupPolicies, eq(groupPolicies.group, queueItems.group))
        .where(among ? and(unheld, among) : unheld)
        .orderBy(...queueOrder(now))
        .limit(1)
        .for('update', { of: queueItems, skipLocked: true });
    // Locking rows needs a full sort (the planner cannot know how many rows SKIP LOCKED will pass over). So first the best
    // CANDIDATES unheld rows by a cheap top-N sort without locks, then the best unlocked one among them: the same answer,
    // since any unlocked row outside them ranks lower. Only when every candidate is taken does the full query run.
    const best = tx
      .select({ id: queueItems.ticketId })
      .from(queueItems)
      .leftJoin(groupPolicies, eq(groupPolicies.group, queueItems.group))
      .where(unheld)
      .orderBy(...queueOrder(now))
      .limit(CANDIDATES);
    let [next] = await pick(sql`${queueItems.ticketId} in (${best})`);
    if (!next) [next] = await pick();
    if (!next) return { kind: 'empty' };
    return take(tx, next.ticketId, agentId, next.group, now);
  });
}

/** One given ticket for an agent (assignment by a supervisor, or an agent taking it): waits for the row's lock. */
export async function claimTicket(db: Database, ticketId: string, agentId: string, opts: { ignoreCapacity?: boolean } = {}, now = new Date()): Promise<ClaimResult> {
  return db.transaction(async (tx) => {
    const agent = await lockAgent(tx, agentId);
    if (!agent) return { kind: 'not_agent' };
    const [row] = await tx.select().from(queueItems).where(and(eq(queueItems.ticketId, ticketId), active)).for('update');
    if (!row) return { kind: 'not_queued' };
    if (row.holder) return { kind: 'held', holder: row.holder };
    if (!agent.profile.groups.includes(row.group)) return { kind: 'not_skilled', group: row.group };
    if (!opts.ignoreCapacity && agent.held >= agent.profile.maxConcurrent) return { kind: 'capacity', held: agent.held, max: agent.profile.maxConcurrent };
    return take(tx, ticketId, agentId, row.group, now);
  });
}

/** Moves a holding from one agent to another in the queue, before the workflow's transfer update. */
export async function claimTransfer(db: Database, ticketId: string, from: string, to: string, opts: { ignoreCapacity?: boolean } = {}, now = new Date()): Promise<ClaimResult> {
  return db.transaction(async (tx) => {
    const agent = await lockAgent(tx, to);
    if (!agent) return { kind: 'not_agent' };
    const [row] = await tx.select().from(queueItems).where(and(eq(queueItems.ticketId, ticketId), active)).for('update');
    if (!row) return { kind: 'not_queued' };
    if (row.holder !== from) return row.holder ? { kind: 'held', holder: row.holder } : { kind: 'not_queued' };
    if (!agent.profile.groups.includes(row.group)) return { kind: 'not_skilled', group: row.group };
    if (!opts.ignoreCapacity && agent.held >= agent.profile.maxConcurrent) return { kind: 'capacity', held: agent.held, max: agent.profile.maxConcurrent };
    return take(tx, ticketId, to, row.group, now);
  });
}

/** Undoes a claim the workflow refused (the ticket moved on or someone else holds it); a confirmed holding stays. */
export async function dropClaim(db: Database, ticketId: string, assignmentId: string, restore?: { holder: string; assignmentId: string }): Promise<void> {
  await db
    .update(queueItems)
    .set(restore ? { holder: restore.holder, assignmentId: restore.assignmentId, confirmed: true } : { holder: null, assignmentId: null, claimedAt: null, confirmed: false })
    .where(and(eq(queueItems.ticketId, ticketId), eq(queueItems.assignmentId, assignmentId), eq(queueItems.confirmed, false)));
}

/** Claims the workflow has not confirmed for a while: the process that claimed them may have crashed before asking. */
export async function staleClaims(db: Database, olderThanMs: number, now = new Date()) {
  return db
    .select({ ticketId: queueItems.ticketId, holder: queueItems.holder, assignmentId: queueItems.assignmentId })
    .from(queueItems)
    .where(and(active, eq(queueItems.confirmed, false), sql`${queueItems.holder} is not null`, lt(queueItems.claimedAt, new Date(now.getTime() - olderThanMs))));
}

export interface QueueEntry {
  ticketId: string;
  group: string;
  step: string;
  priority: number;
  effectivePriority: number;
  deadline: Date | null;
  remainingMs: number | null;
  paused: boolean;
  breached: boolean;
  holder: string | null;
  confirmed: boolean;
  enteredAt: Date;
  ticketStatus: string;
  category: string;
}

function entries(db: Database, now: Date) {
  return db
    .select({
      ticketId: queueItems.ticketId,
      group: queueItems.group,
      step: queueItems.step,
      priority: queueItems.priority,
      effectivePriority: effectivePrioritySql(now),
      deadline: queueItems.deadline,
      remainingMs: remainingSql(now),
      pausedAt: queueItems.pausedAt,
      breached: queueItems.breached,
      holder: queueItems.holder,
      confirmed: queueItems.confirmed,
      enteredAt: queueItems.enteredAt,
      lastActionAt: queueItems.lastActionAt,
      ticketStatus: tickets.status,
      category: tickets.category,
    })
    .from(queueItems)
    .innerJoin(tickets, eq(tickets.id, queueItems.ticketId))
    .leftJoin(groupPolicies, eq(groupPolicies.group, queueItems.group));
}

const toEntry = ({ pausedAt, lastActionAt: _l, ...r }: Awaited<ReturnType<ReturnType<typeof entries>['execute']>>[number]): QueueEntry => ({
  ...r,
  remainingMs: r.remainingMs === null ? null : Number(r.remainingMs),
  paused: pausedAt !== null,
});

/** A group's queue in pull order (held tickets included, marked with their holder). */
export async function listQueue(db: Database, group: string, opts: { limit?: number } = {}, now = new Date()): Promise<QueueEntry[]> {
  const rows = await entries(db, now)
    .where(and(active, eq(queueItems.group, group)))
    .orderBy(...queueOrder(now))
    .limit(opts.limit ?? 200);
  return rows.map(toEntry);
}

/** The tickets an agent holds. */
export async function agentTickets(db: Database, agentId: string, now = new Date()): Promise<QueueEntry[]> {
  const rows = await entries(db, now).where(and(active, eq(queueItems.holder, agentId))).orderBy(...queueOrder(now));
  return rows.map(toEntry);
}

export async function queueItemOf(db: Database, ticketId: string) {
  const [row] = await db.select().from(queueItems).where(and(eq(queueItems.ticketId, ticketId), active));
  return row ?? null;
}

export async function groupPolicy(db: Database, group: string): Promise<GroupPolicy> {
  const [row] = await db.select().from(groupPolicies).where(eq(groupPolicies.group, group));
  return row ? { group, policy: row.policy, agingMs: row.agingMs, silenceMs: row.silenceMs, silenceAction: row.silenceAction } : { group, ...DEFAULT_GROUP_POLICY };
}

export async function setGroupPolicy(db: Database, policy: GroupPolicy): Promise<GroupPolicy> {
  const values = { policy: policy.policy, agingMs: policy.agingMs, silenceMs: policy.silenceMs, silenceAction: policy.silenceAction, updatedAt: new Date() };
  await db.insert(groupPolicies).values({ group: policy.group, ...values }).onConflictDoUpdate({ target: groupPolicies.group, set: values });
  return policy;
}

export async function agentProfile(db: Database, agentId: string) {
  const [row] = await db.select().from(agentProfiles).where(eq(agentProfiles.staffId, agentId));
  return row ?? null;
}

/** Creates or changes an agent's profile (a staff account must exist). */
export async function upsertAgentProfile(db: Database, agentId: string, change: { groups?: string[]; maxConcurrent?: number; status?: typeof agentProfiles.$inferSelect.status }) {
  const set = { ...change, ...(change.groups ? { groups: [...new Set(change.groups)] } : {}), updatedAt: new Date() };
  const [row] = await db
    .insert(agentProfiles)
    .values({ staffId: agentId, groups: set.groups ?? [], maxConcurrent: set.maxConcurrent ?? DEFAULT_MAX_CONCURRENT, status: set.status ?? 'offline' })
    .onConflictDoUpdate({ target: agentProfiles.staffId, set })
    .returning();
  return row!;
}

/** Groups with queued, unheld tickets and a dispatching policy (not pull-only). */
export async function groupsWaiting(db: Database): Promise<string[]> {
  const rows = await db
    .selectDistinct({ group: queueItems.group })
    .from(queueItems)
    .leftJoin(groupPolicies, eq(groupPolicies.group, queueItems.group))
    .where(and(active, isNull(queueItems.holder), sql`coalesce(${groupPolicies.policy}, ${DEFAULT_GROUP_POLICY.policy}) <> 'pull_only'`));
  return rows.map((r) => r.group);
}

/** Online, enabled agents of the group with free capacity, in the order the policy gives tickets. */
export async function dispatchCandidates(db: Database, group: string, policy: GroupPolicy['policy']): Promise<string[]> {
  const held = sql<number>`(select count(*) from ${queueItems} where ${queueItems.state} = 'queued' and ${queueItems.holder} = ${agentProfiles.staffId})::int`;
  const rows = await db
    .select({ id: agentProfiles.staffId, held, max: agentProfiles.maxConcurrent, last: agentProfiles.lastAssignedAt })
    .from(agentProfiles)
    .innerJoin(staff, eq(staff.id, agentProfiles.staffId))
    .where(and(eq(agentProfiles.status, 'online'), isNull(staff.disabledAt), sql`${agentProfiles.groups} @> ${JSON.stringify([group])}::jsonb`, sql`${held} < ${agentProfiles.maxConcurrent}`))
    .orderBy(...(policy === 'least_loaded' ? [asc(held)] : []), sql`${agentProfiles.lastAssignedAt} asc nulls first`, asc(agentProfiles.staffId));
  return rows.map((r) => r.id);
}

/** Holdings whose holder has been silent past their rule (the step's own, else the group's), not yet acted on. */
export async function silentHoldings(db: Database, now = new Date()) {
  const silenceMs = sql<number | null>`coalesce((${queueItems.data}->'silence'->>'ms')::bigint, ${groupPolicies.silenceMs})`;
  const action = sql<SilenceAction | null>`coalesce(${queueItems.data}->'silence'->>'action', ${groupPolicies.silenceAction})`;
  const rows = await db
    .select({ ticketId: queueItems.ticketId, holder: queueItems.holder, assignmentId: queueItems.assignmentId, lastActionAt: queueItems.lastActionAt, silenceMs, action })
    .from(queueItems)
    .leftJoin(groupPolicies, eq(groupPolicies.group, queueItems.group))
    .where(
      and(
        active,
        eq(queueItems.confirmed, true),
        isNull(queueItems.silenceFiredAt),
        isNull(queueItems.pausedAt),
        sql`${silenceMs} is not null and ${action} is not null`,
        sql`${queueItems.lastActionAt} < ${now.toISOString()}::timestamptz - (${silenceMs} * interval '1 millisecond')`,
      ),
    );
  return rows.map((r) => ({ ...r, silenceMs: r.silenceMs === null ? null : Number(r.silenceMs) }));
}

export async function markSilenceFired(db: Database, ticketId: string, assignmentId: string, now = new Date()) {
  await db.update(queueItems).set({ silenceFiredAt: now }).where(and(eq(queueItems.ticketId, ticketId), eq(queueItems.assignmentId, assignmentId)));
}
