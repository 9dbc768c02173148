// Analytics read models. step_visits and ticket_metrics (issue 21) are derived from tickets and ticket_events
// by the SQL function refresh_ticket_analytics(ticket ids), which the store calls in each write's transaction
// (and the migration once for the rows that existed before); never written anywhere else. alerts are written
// only by the detection activity (activities/anomaly.ts), run by the anomaly schedule; read by GET /v1/alerts
// and the dashboard.
import { sql } from 'drizzle-orm';
import { boolean, doublePrecision, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * One row per visit of a ticket to an SOP step: entered with its first event, left with the last event
 * before the next step's first (or with `archived`). Keyed by the first event's seq: recomputing is idempotent.
 */
export const stepVisits = pgTable(
  'step_visits',
  {
    ticketId: text('ticket_id').notNull(),
    /** seq of the visit's first event */
    seq: integer('seq').notNull(),
    step: text('step').notNull(),
    stepKind: text('step_kind').notNull(),
    sopType: text('sop_type').notNull(),
    sopVersion: integer('sop_version').notNull(),
    enteredAt: timestamp('entered_at', { withTimezone: true }).notNull(),
    /** null while the ticket is still in the step */
    leftAt: timestamp('left_at', { withTimezone: true }),
    /** the kind of the event that ended the visit: completed, decided, signal, sla_breached, escalated, failed, archived, rerouted … */
    leftBy: text('left_by'),
    /** the step the ticket went to next (null: it ended here or is still here) */
    nextStep: text('next_step'),
    /** a human decision or decision-step branch that ended the visit */
    decision: text('decision'),
    breached: boolean('breached').notNull(),
    escalated: boolean('escalated').notNull(),
    /** the ticket's first visit to this step under this SOP version, and its first visit of any step under it: counts of tickets without count(distinct) */
    firstInStep: boolean('first_in_step').notNull(),
    firstInVersion: boolean('first_in_version').notNull(),
  },
  // a range of days of one SOP, whatever the versions (the default funnel compares every version in the range)
  (t) => [primaryKey({ columns: [t.ticketId, t.seq] }), index('step_visits_sop_idx').on(t.sopType, t.enteredAt)],
);

/**
 * One row per ticket with what the reports aggregate, so they scan one narrow table:
 * the ticket's dimensions (current type and group) and its measured times.
 */
export const ticketMetrics = pgTable(
  'ticket_metrics',
  {
    ticketId: text('ticket_id').primaryKey(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    sopType: text('sop_type').notNull(),
    sopVersion: integer('sop_version').notNull(),
    category: text('category').notNull(),
    skillGroup: text('skill_group').notNull(),
    channel: text('channel').notNull(),
    region: text('region'),
    appVersion: text('app_version'),
    status: text('status').notNull(),
    /** the first event the user saw as an answer: a notice to them, a proposal, an agent's act, the close */
    firstResponseAt: timestamp('first_response_at', { withTimezone: true }),
    /** the first close (a reopened ticket keeps its first handling time) */
    closedAt: timestamp('closed_at', { withTimezone: true }),
    breaches: integer('breaches').notNull(),
    escalated: boolean('escalated').notNull(),
    reopens: integer('reopens').notNull(),
    /** the user's last rating 1–5, and whether it was low by the SOP's review threshold */
    rating: integer('rating'),
    ratingLow: boolean('rating_low'),
  },
  (t) => [
    // time ranges, and the export's pages in (created_at, ticket_id) order
    index('ticket_metrics_created_idx').on(t.createdAt, t.ticketId),
    index('ticket_metrics_type_created_idx').on(t.sopType, t.createdAt),
    // the backlog: only the open tickets, with the filter columns for an index-only scan
    index('ticket_metrics_backlog_idx').on(t.skillGroup, t.status, t.sopType, t.region, t.channel, t.appVersion, t.category).where(sql`${t.status} <> 'closed'`),
  ],
);

/**
 * One row per anomaly: a (category, region, app version) whose ticket count in a window is far above its
 * baseline. While it lasts the row stays open (cleared_at null) and is updated, never duplicated: the
 * partial unique index allows one open alert per key, so a retried or concurrent detection cannot open two.
 */
export const alerts = pgTable(
  'alerts',
  {
    /** stable per key and opening window: the technical ticket's id is derived from it */
    id: text('id').primaryKey(),
    /** category|region|appVersion, '' for an absent part */
    key: text('key').notNull(),
    category: text('category').notNull(),
    region: text('region'),
    appVersion: text('app_version'),
    /** end of the window that first showed the anomaly */
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
    /** end of the first window back within its baseline; null while open */
    clearedAt: timestamp('cleared_at', { withTimezone: true }),
    /** tickets in the opening window, and the baseline's expected count for it */
    observed: integer('observed').notNull(),
    expected: doublePrecision('expected').notNull(),
    /** -log10 of the tail probability of the observed count under the baseline */
    score: doublePrecision('score').notNull(),
    /** the latest window's figures while open (the peak shows how bad it got) */
    lastObserved: integer('last_observed').notNull(),
    peakObserved: integer('peak_observed').notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
    /** the technical ticket opened for it (null until the workflow opened it) */
    ticketId: text('ticket_id'),
  },
  (t) => [
    uniqueIndex('alerts_open_key_idx').on(t.key).where(sql`${t.clearedAt} is null`),
    index('alerts_opened_idx').on(t.openedAt),
  ],
);

export type AlertRow = typeof alerts.$inferSelect;
