// The store's one call into the analytics read models (schema/tables/analytics.ts): the SQL function
// refresh_ticket_analytics, defined in the migration that created them, recomputes a ticket's step
// visits and measures from its events. Idempotent, so retried writes and replays change nothing.
import { sql } from 'drizzle-orm';
import type { Database } from './db';

export async function refreshTicketAnalytics(tx: Pick<Database, 'execute'>, ticketIds: string[]): Promise<void> {
  if (!ticketIds.length) return;
  await tx.execute(sql`select refresh_ticket_analytics(${sql.raw('ARRAY[')}${sql.join(ticketIds.map((id) => sql`${id}`), sql`, `)}${sql.raw(']::text[]')})`);
}
