// Analytics: anomaly alerts. Written only by the detection activity (activities/anomaly.ts), run by
// the anomaly schedule; read by GET /v1/alerts and the dashboard.
import { sql } from 'drizzle-orm';
import { doublePrecision, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

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
