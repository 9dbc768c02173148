// The long-range path of the reports (schema/metrics-repository.ts): whole UTC days from the daily rollups
// (schema/tables/rollups.ts), the partial days at the range's edges from the per-ticket rows through the same
// views the rollups are summed from, so counts and sums equal the exact path's. Medians and p90s come from the
// merged duration histograms (schema/duration-buckets.ts: within 4.4 %). Used when the range holds at least
// ROLLUP_MIN_DAYS whole days and every filter is one the rollups are keyed by; otherwise the exact path runs.
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from './db';
import { histogramQuantile } from './duration-buckets';
import type { Dimension, Interval, MetricsFilter } from './metrics-repository';

/** the switch: ranges with fewer whole days stay exact (a day's partial edges cost as much as the rollup saves) */
export const ROLLUP_MIN_DAYS = 2;
const DAY = 86_400_000;

type Row = Record<string, unknown>;
export const rowsOf = (result: unknown): Row[] => (Array.isArray(result) ? result : ((result as { rows?: Row[] }).rows ?? []));

/** the rollup columns of each filter: the overview's rollups know type and group only */
const KEYED: Partial<Record<Dimension, string>> = { type: 'sop_type', group: 'skill_group' };

export interface RollupPlan {
  /** whole days [fromDay, toDay), as dates */
  fromDay: string;
  toDay: string;
  /** the partial days, read per ticket */
  edges: Array<{ from: Date; to: Date }>;
}

/** The rollup plan of a range, or null when the range is short or a filter is not among `usable`. */
export function rollupPlan(f: MetricsFilter, usable: Dimension[]): RollupPlan | null {
  const filters = (['type', 'group', 'region', 'channel', 'appVersion', 'category'] as Dimension[]).filter((d) => f[d] !== undefined);
  if (filters.some((d) => !usable.includes(d))) return null;
  const first = Math.ceil(f.from.getTime() / DAY) * DAY;
  const last = Math.floor(f.to.getTime() / DAY) * DAY;
  if ((last - first) / DAY < ROLLUP_MIN_DAYS) return null;
  const edges = [];
  if (f.from.getTime() < first) edges.push({ from: f.from, to: new Date(first) });
  if (last < f.to.getTime()) edges.push({ from: new Date(last), to: f.to });
  const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { fromDay: date(first), toDay: date(last), edges };
}

const days = (p: RollupPlan) => sql`day >= ${p.fromDay}::date and day < ${p.toDay}::date`;
function edgeRows(p: RollupPlan, column: string): SQL {
  if (!p.edges.length) return sql`false`;
  const c = sql.raw(column);
  return sql`(${sql.join(p.edges.map((e) => sql`(${c} >= ${e.from.toISOString()} and ${c} < ${e.to.toISOString()})`), sql` or `)})`;
}
function keyed(f: MetricsFilter): SQL {
  const parts = (Object.entries(KEYED) as Array<[Dimension, string]>).filter(([d]) => f[d] !== undefined).map(([d, c]) => sql` and ${sql.raw(c)} = ${f[d]!}`);
  return sql.join(parts, sql``);
}

/**
 * The overview's measured rows (the headline, whole = 1, and one per type and group) in the exact path's shape:
 * counts and sums, rating_avg, and {first_response,handling}_{p50,p90} in seconds.
 */
export async function overviewFromRollups(tx: Database, f: MetricsFilter, p: RollupPlan): Promise<Row[]> {
  const columns = sql.raw('sop_type, skill_group, volume, closed, within_sla, escalated, reopened, rated, rating_sum, rated_low');
  const sums = rowsOf(
    await tx.execute(sql`select grouping(sop_type, skill_group) as whole, sop_type, skill_group, sum(volume)::int as volume, sum(closed)::int as closed,
        sum(within_sla)::int as within_sla, sum(escalated)::int as escalated, sum(reopened)::int as reopened, sum(rated)::int as rated,
        sum(rating_sum)::float8 as rating_sum, sum(rated_low)::int as rated_low
      from (select ${columns} from metrics_daily where ${days(p)}${keyed(f)}
        union all select ${columns} from metrics_daily_source where ${edgeRows(p, 'created_at')}${keyed(f)}) x
      group by grouping sets ((), (sop_type, skill_group)) having grouping(sop_type, skill_group) = 1 or sum(volume) > 0
      order by 1 desc, volume desc, 2, 3`),
  );
  const histograms = rowsOf(
    await tx.execute(sql`select grouping(sop_type, skill_group) as whole, sop_type, skill_group, measure, bucket, sum(n)::int as n
      from (select sop_type, skill_group, measure, bucket, n from metrics_daily_durations where ${days(p)}${keyed(f)}
        union all select sop_type, skill_group, 'first_response', first_response_bucket, 1 from metrics_daily_source
          where ${edgeRows(p, 'created_at')} and first_response_bucket is not null${keyed(f)}
        union all select sop_type, skill_group, 'handling', handling_bucket, 1 from metrics_daily_source
          where ${edgeRows(p, 'created_at')} and handling_bucket is not null${keyed(f)}) x
      group by grouping sets ((measure, bucket), (sop_type, skill_group, measure, bucket))`),
  );
  const keyOf = (r: Row) => (Number(r.whole) !== 0 ? '' : `${r.sop_type}\u0000${r.skill_group}`);
  const quantiles = quantilesBy(histograms, (r) => `${keyOf(r)}\u0001${r.measure}`);
  return sums.map((r) => {
    const q = (measure: string, p: 'p50' | 'p90') => quantiles.get(`${keyOf(r)}\u0001${measure}`)?.[p] ?? null;
    return {
      ...r,
      rating_avg: Number(r.rated) ? Number(r.rating_sum) / Number(r.rated) : null,
      first_response_p50: q('first_response', 'p50'),
      first_response_p90: q('first_response', 'p90'),
      handling_p50: q('handling', 'p50'),
      handling_p90: q('handling', 'p90'),
    };
  });
}

function quantilesBy(rows: Row[], key: (r: Row) => string): Map<string, { p50: number | null; p90: number | null }> {
  const groups = new Map<string, Array<{ bucket: number; n: number }>>();
  for (const r of rows) {
    const k = key(r);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push({ bucket: Number(r.bucket), n: Number(r.n) });
  }
  return new Map([...groups].map(([k, h]) => [k, { p50: histogramQuantile(h, 0.5), p90: histogramQuantile(h, 0.9) }]));
}

/** Ticket volume per bucket from the rollups, when the interval is a day or a week; null when they cannot answer. */
export async function timeseriesFromRollups(tx: Database, f: MetricsFilter, by: Dimension | null, interval: Interval): Promise<Row[] | null> {
  if (interval === 'hour') return null;
  const trunc = sql.raw(`'${interval}'`);
  const dimensionColumn = (d: Dimension) => ({ type: 'sop_type', group: 'skill_group', region: 'region', channel: 'channel', appVersion: 'app_version', category: 'category' })[d];
  const edgeKey = by ? sql.raw(`m.${dimensionColumn(by)}`) : sql`null::text`;
  const edgeFilters = sql.join(
    (['type', 'group', 'region', 'channel', 'appVersion', 'category'] as Dimension[]).filter((d) => f[d] !== undefined).map((d) => sql` and ${sql.raw(`m.${dimensionColumn(d)}`)} = ${f[d]!}`),
    sql``,
  );
  let whole: SQL;
  let p = rollupPlan(f, []);
  if (p) {
    // no filter: the per-dimension volumes (any dimension's values add up to every ticket)
    whole = sql`select date_trunc(${trunc}, day::timestamp) as t, ${by ? sql`nullif(value, '')` : sql`null::text`} as key, tickets as n
      from metrics_daily_volume where dimension = ${by ?? 'type'} and ${days(p)}`;
  } else if ((p = rollupPlan(f, ['type', 'group'])) && (by === null || by === 'type' || by === 'group')) {
    whole = sql`select date_trunc(${trunc}, day::timestamp) as t, ${by ? sql.raw(dimensionColumn(by)) : sql`null::text`} as key, volume as n
      from metrics_daily where ${days(p)}${keyed(f)}`;
  } else return null;
  return rowsOf(
    await tx.execute(sql`select t, key, sum(n)::int as n from (${whole}
        union all select date_trunc(${trunc}, m.created_at at time zone 'UTC'), ${edgeKey}, 1 from ticket_metrics m where ${edgeRows(p, 'm.created_at')}${edgeFilters}) x
      group by 1, 2 having sum(n) > 0 order by 1, 2`),
  );
}

/**
 * The funnel's three row sets (steps with p50/p90 in seconds, transitions, tickets per version) in the exact path's
 * shape, from the rollups; null when a ticket filter is set (the funnel rollups are keyed by SOP only).
 */
export async function funnelFromRollups(tx: Database, sop: string, versions: number[], f: MetricsFilter): Promise<{ steps: Row[]; transitions: Row[]; tickets: Row[] } | null> {
  const p = rollupPlan(f, ['type']);
  if (!p) return null;
  const versionFilter = versions.length ? sql` and sop_version in (${sql.join(versions.map((v) => sql`${v}`), sql`, `)})` : sql``;
  const columns = sql.raw('sop_version, step, step_kind, left_by, decision, next_step, visits, first_in_step, here, breaches, escalations, first_in_version, seq_sum');
  const [row] = rowsOf(
    await tx.execute(sql`with v as materialized (
        select ${columns} from funnel_daily where sop_type = ${sop} and ${days(p)}${versionFilter}
        union all select ${columns} from funnel_daily_source where sop_type = ${sop} and ${edgeRows(p, 'entered_at')}${versionFilter})
      select
        (select coalesce(json_agg(x order by x.sop_version, x.position, x.step), '[]') from (
          select sop_version, step, min(step_kind) as kind, sum(visits)::int as entered, sum(first_in_step)::int as tickets, sum(here)::int as in_step,
            sum(breaches)::int as breaches, sum(escalations)::int as escalations, sum(seq_sum)::float8 / sum(visits) as position
          from v group by 1, 2 having sum(visits) > 0) x) as steps,
        (select coalesce(json_agg(x order by x.sop_version, x.step, x.n desc, x.left_by, x.decision, x.next_step), '[]') from (
          select sop_version, step, left_by, nullif(decision, '') as decision, nullif(next_step, '') as next_step, sum(visits)::int as n
          from v where left_by <> '' group by 1, 2, 3, 4, 5 having sum(visits) > 0) x) as transitions,
        (select coalesce(json_agg(x), '[]') from (select sop_version, sum(first_in_version)::int as n from v group by 1 having sum(visits) > 0) x) as tickets`),
  );
  const histograms = rowsOf(
    await tx.execute(sql`select sop_version, step, bucket, sum(n)::int as n from (
        select sop_version, step, bucket, n from funnel_daily_durations where sop_type = ${sop} and ${days(p)}${versionFilter}
        union all select sop_version, step, bucket, 1 from funnel_daily_source where sop_type = ${sop} and ${edgeRows(p, 'entered_at')} and bucket is not null${versionFilter}) x
      group by 1, 2, 3`),
  );
  const quantiles = quantilesBy(histograms, (r) => `${r.sop_version}\u0000${r.step}`);
  const parse = (v: unknown): Row[] => (typeof v === 'string' ? JSON.parse(v) : (v as Row[]) ?? []);
  const steps = parse(row?.steps).map((s) => ({ ...s, p50: quantiles.get(`${s.sop_version}\u0000${s.step}`)?.p50 ?? null, p90: quantiles.get(`${s.sop_version}\u0000${s.step}`)?.p90 ?? null }));
  return { steps, transitions: parse(row?.transitions), tickets: parse(row?.tickets) };
}
