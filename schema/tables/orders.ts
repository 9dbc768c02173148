// What the order system said about a ticket's order, as the ticket's own steps read it: the fetchOrder and
// collectEvidence activities are the one writer (personal data masked, like ticket events), the agent console reads
// it (GET /v1/tickets/:id/order). Events keep only a summary of large results; this keeps the fee breakdown,
// payments and evidence whole.
import { jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const orderSnapshots = pgTable('order_snapshots', {
  orderId: text('order_id').primaryKey(),
  /** the order as last fetched by a ticket's step (null until a step fetched it) */
  order: jsonb('order').$type<Record<string, unknown>>(),
  orderFetchedAt: timestamp('order_fetched_at', { withTimezone: true }),
  /** the trajectory and sign-off photos as last collected */
  evidence: jsonb('evidence').$type<Record<string, unknown>>(),
  evidenceCollectedAt: timestamp('evidence_collected_at', { withTimezone: true }),
});

export type OrderSnapshotRow = typeof orderSnapshots.$inferSelect;
