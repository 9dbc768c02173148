// "What happens next and by when": the expected handling time of a SOP type in a group, the median
// of the most recent closed tickets (open to close), with a documented default without history.
import { sql } from 'drizzle-orm';
import type { Database } from '../schema';

/** how many recent closed tickets the median looks at, and how many it needs before it is trusted */
export const ESTIMATE_SAMPLE = 50;
export const ESTIMATE_MIN_SAMPLE = 3;

export interface Estimate {
  ms: number;
  /** closed tickets the median came from; 0 → the default */
  sample: number;
}

export async function estimateHandlingMs(db: Database, sopType: string, group: string, defaultMs: number): Promise<Estimate> {
  const rows = (await db.execute(sql`
    select count(*)::int as n, percentile_cont(0.5) within group (order by ms) as median
    from (select extract(epoch from (closed_at - created_at)) * 1000 as ms from tickets
          where status = 'closed' and closed_at is not null and sop_type = ${sopType} and skill_group = ${group}
          order by closed_at desc limit ${ESTIMATE_SAMPLE}) recent`)) as unknown as Array<{ n: number; median: number | string | null }> | { rows: Array<{ n: number; median: number | string | null }> };
  const row = Array.isArray(rows) ? rows[0] : rows.rows[0];
  const n = Number(row?.n ?? 0);
  if (n < ESTIMATE_MIN_SAMPLE || row?.median === null || row?.median === undefined) return { ms: defaultMs, sample: 0 };
  return { ms: Math.round(Number(row.median)), sample: n };
}

/** A small per-process cache: every notice of a busy group would otherwise ask the same question. */
export function cachedEstimates(db: Database, defaultMs: number, ttlMs = 60_000) {
  const cache = new Map<string, { at: number; value: Estimate }>();
  return async (sopType: string, group: string): Promise<Estimate> => {
    const key = `${sopType}\u0000${group}`;
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < ttlMs) return hit.value;
    const value = await estimateHandlingMs(db, sopType, group, defaultMs);
    cache.set(key, { at: Date.now(), value });
    return value;
  };
}
