// The last order and evidence a ticket's steps read from the order system (schema/tables/orders.ts).
import { eq, sql } from 'drizzle-orm';
import type { Database } from './db';
import { tickets } from './tables';
import { orderSnapshots } from './tables/orders';

/** Keeps the newest fetch: a late retry of an older fetch does not overwrite a newer one. */
export async function saveOrderSnapshot(db: Database, orderId: string, order: Record<string, unknown>, at = new Date()): Promise<void> {
  await db
    .insert(orderSnapshots)
    .values({ orderId, order, orderFetchedAt: at })
    .onConflictDoUpdate({ target: orderSnapshots.orderId, set: { order, orderFetchedAt: at }, setWhere: sql`${orderSnapshots.orderFetchedAt} is null or ${orderSnapshots.orderFetchedAt} <= ${at.toISOString()}::timestamptz` });
}

export async function saveEvidenceSnapshot(db: Database, orderId: string, evidence: Record<string, unknown>, at = new Date()): Promise<void> {
  await db
    .insert(orderSnapshots)
    .values({ orderId, evidence, evidenceCollectedAt: at })
    .onConflictDoUpdate({ target: orderSnapshots.orderId, set: { evidence, evidenceCollectedAt: at }, setWhere: sql`${orderSnapshots.evidenceCollectedAt} is null or ${orderSnapshots.evidenceCollectedAt} <= ${at.toISOString()}::timestamptz` });
}

/** A ticket's order as its steps last read it; null when there is no such ticket. */
export async function ticketOrder(db: Database, ticketId: string) {
  const [row] = await db
    .select({ ticketId: tickets.id, orderId: tickets.orderId, order: orderSnapshots.order, orderFetchedAt: orderSnapshots.orderFetchedAt, evidence: orderSnapshots.evidence, evidenceCollectedAt: orderSnapshots.evidenceCollectedAt })
    .from(tickets)
    .leftJoin(orderSnapshots, eq(orderSnapshots.orderId, tickets.orderId))
    .where(eq(tickets.id, ticketId));
  return row ?? null;
}
