// Work distribution (issue 18): agents' profiles, group policies and the queue. `queue_items` has two
// writers with separate columns: the read model's single writer (recordProgress) derives the entry,
// step, deadline, pause and confirmed holder from ticket events; the API claims a holder with
// FOR UPDATE SKIP LOCKED before it asks the workflow to assign (docs/ARCHITECTURE.md, "Work distribution").
import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { SilenceAction } from '../../sops/types';
import { staff } from './access';

export const AGENT_STATUSES = ['online', 'away', 'offline'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/** A staff account's place in work distribution: its skill groups, capacity and presence. */
export const agentProfiles = pgTable('agent_profiles', {
  staffId: text('staff_id')
    .primaryKey()
    .references(() => staff.id),
  groups: jsonb('groups').$type<string[]>().notNull().default([]),
  maxConcurrent: integer('max_concurrent').notNull().default(5),
  status: text('status').$type<AgentStatus>().notNull().default('offline'),
  /** when automatic dispatch last gave this agent a ticket (round-robin takes the longest-waiting agent) */
  lastAssignedAt: timestamp('last_assigned_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const DISPATCH_POLICIES = ['round_robin', 'least_loaded', 'pull_only'] as const;
export type DispatchPolicy = (typeof DISPATCH_POLICIES)[number];
// one list for group policies and SOP steps (sops/types.ts)
export { SILENCE_ACTIONS, type SilenceAction } from '../../sops/types';

/** A group's distribution policy; a group without a row uses DEFAULT_GROUP_POLICY (domain/dispatch.ts). */
export const groupPolicies = pgTable('group_policies', {
  group: text('group').primaryKey(),
  policy: text('policy').$type<DispatchPolicy>().notNull(),
  /** one point of effective priority per this much waiting */
  agingMs: bigint('aging_ms', { mode: 'number' }).notNull(),
  /** no action by the holder for this long → silenceAction (null: no rule) */
  silenceMs: bigint('silence_ms', { mode: 'number' }),
  silenceAction: text('silence_action').$type<SilenceAction>(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** One row per ticket: its current (or last) human step. state 'queued' while the step waits, 'done' after. */
export const queueItems = pgTable(
  'queue_items',
  {
    ticketId: text('ticket_id').primaryKey(),
    // —— written by recordProgress from ticket events (guarded by seq: a late retry never undoes a newer event)
    group: text('group').notNull(),
    step: text('step').notNull(),
    state: text('state').$type<'queued' | 'done'>().notNull(),
    /** the seq of the last event applied to this row */
    seq: integer('seq').notNull(),
    /** the intake priority (0–100) at entry; effective priority adds aging when read */
    priority: integer('priority').notNull(),
    enteredAt: timestamp('entered_at', { withTimezone: true }).notNull(),
    /** the step's SLA deadline; moved later by the time the ticket waited on the user */
    deadline: timestamp('deadline', { withTimezone: true }),
    /** set while the SLA clock is paused (the ticket waits on the user) */
    pausedAt: timestamp('paused_at', { withTimezone: true }),
    breached: boolean('breached').notNull().default(false),
    // —— the holder: claimed by the API (holder, assignmentId, claimedAt), confirmed by the workflow's `assigned` event
    holder: text('holder'),
    assignmentId: text('assignment_id'),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    confirmed: boolean('confirmed').notNull().default(false),
    /** the holder's last action (assignment, info request, transfer): silence rules count from here */
    lastActionAt: timestamp('last_action_at', { withTimezone: true }),
    /** the silence rule already fired for this holding (one reminder per holding) */
    silenceFiredAt: timestamp('silence_fired_at', { withTimezone: true }),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('queue_items_group_idx').on(t.state, t.group), index('queue_items_holder_idx').on(t.holder, t.state)],
);

export type AgentProfileRow = typeof agentProfiles.$inferSelect;
export type QueueItemRow = typeof queueItems.$inferSelect;
export type GroupPolicyRow = typeof groupPolicies.$inferSelect;
