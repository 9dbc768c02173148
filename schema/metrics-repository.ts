// The reports of issue 21, read from the analytics read models (schema/tables/analytics.ts): one narrow
// row per ticket (ticket_metrics) and one row per step visit (step_visits). Times are reported in
// minutes (SLA figures), rates as shares 0–1 rounded to 4 places.
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from './db';
import { funnelFromRollups, overviewFromRollups, rollupPlan, rowsOf, timeseriesFromRollups } from './metrics-rollups';

export interface MetricsFilter {
  from: Date;
  to: Date;
  type?: string;
  group?: string;
  region?: string;
  channel?: string;
  appVersion?: string;
  category?: string;
}

export const DIMENSIONS = { type: 'sop_type', group: 'skill_group', region: 'region', channel: 'channel', appVersion: 'app_version', category: 'category' } as const;
export type Dimension = keyof typeof DIMENSIONS;
export const INTERVALS = ['hour', 'day', 'week'] as const;
export type Interval = (typeof INTERVALS)[number];

type Row = Record<string, unknown>;
/** `exact`: never the daily rollups (the rollup path's medians are approximate; tests compare the two) */
export interface ReportOptions {
  exact?: boolean;
}
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const round = (v: number | null, places: number) => (v === null ? null : Math.round(v * 10 ** places) / 10 ** places);
const minutes = (seconds: unknown) => round(num(seconds) === null ? null : num(seconds)! / 60, 2);
const share = (part: unknown, whole: unknown) => (Number(whole) ? round(Number(part) / Number(whole), 4) : null);

/**
 * Runs a report's statements in one transaction with settings for aggregating tens of thousands of rows:
 * sorts for medians and distinct counts in memory (the default 4 MB spills them to disk), and no JIT compilation
 * (it costs more than it saves on queries of a few hundred milliseconds).
 */
async function report<T>(db: Database, run: (tx: Database) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('work_mem', '64MB', true), set_config('jit', 'off', true)`);
    return run(tx as unknown as Database);
  });
}

/** The filter as SQL over ticket_metrics (alias m); `anyTime`: without the time range (the backlog is now). */
function where(f: MetricsFilter, { anyTime = false } = {}): SQL {
  const col = (c: string) => sql.raw(`m.${c}`);
  const parts: SQL[] = anyTime ? [sql`true`] : [sql`${col('created_at')} >= ${f.from.toISOString()}`, sql`${col('created_at')} < ${f.to.toISOString()}`];
  for (const [key, column] of Object.entries(DIMENSIONS) as Array<[Dimension, string]>) {
    const value = f[key];
    if (value !== undefined) parts.push(sql`${col(column)} = ${value}`);
  }
  return sql.join(parts, sql` and `);
}

const seconds = (later: string, earlier: string) => sql.raw(`extract(epoch from (m.${later} - m.${earlier}))`);
const percentiles = (later: string, earlier: string, prefix: string) =>
  sql`percentile_cont(0.5) within group (order by ${seconds(later, earlier)}) as ${sql.raw(`${prefix}_p50`)},
      percentile_cont(0.9) within group (order by ${seconds(later, earlier)}) as ${sql.raw(`${prefix}_p90`)}`;

/** The measures shared by the headline and the per-type-and-group rows. */
const MEASURES = sql`count(*)::int as volume,
  count(m.closed_at)::int as closed,
  ${percentiles('first_response_at', 'created_at', 'first_response')},
  ${percentiles('closed_at', 'created_at', 'handling')},
  count(*) filter (where m.breaches = 0)::int as within_sla,
  count(*) filter (where m.escalated)::int as escalated,
  count(*) filter (where m.reopens > 0)::int as reopened,
  count(m.rating)::int as rated,
  avg(m.rating)::float8 as rating_avg,
  count(*) filter (where m.rating_low)::int as rated_low`;

export interface Measures {
  volume: number;
  closed: number;
  firstResponseMinutes: { median: number | null; p90: number | null };
  handlingMinutes: { median: number | null; p90: number | null };
  /** tickets without a breached SLA, of all tickets */
  slaAttainment: number | null;
  escalationRate: number | null;
  /** closed tickets handled a second time (reopened), of closed tickets */
  reopenRate: number | null;
  /** absent (null) until a ticket is rated */
  satisfaction: { ratings: number; average: number | null; lowShare: number | null };
}

function measuresOf(r: Row): Measures {
  return {
    volume: Number(r.volume),
    closed: Number(r.closed),
    firstResponseMinutes: { median: minutes(r.first_response_p50), p90: minutes(r.first_response_p90) },
    handlingMinutes: { median: minutes(r.handling_p50), p90: minutes(r.handling_p90) },
    slaAttainment: share(r.within_sla, r.volume),
    escalationRate: share(r.escalated, r.volume),
    reopenRate: share(r.reopened, r.closed),
    satisfaction: { ratings: Number(r.rated), average: round(num(r.rating_avg), 2), lowShare: share(r.rated_low, r.rated) },
  };
}

export interface Overview {
  from: string;
  to: string;
  totals: Measures;
  byTypeAndGroup: Array<{ type: string; group: string } & Measures>;
  /** open tickets now per queue (skill group) and status, within the filters other than time */
  backlog: Array<{ group: string; status: string; tickets: number }>;
}

export async function overview(db: Database, f: MetricsFilter, opts: ReportOptions = {}): Promise<Overview> {
  const plan = opts.exact ? null : rollupPlan(f, ['type', 'group']);
  const [rows, backlog] = await report(db, async (tx) => [
    plan
      ? await overviewFromRollups(tx, f, plan)
      : // one scan for the headline and the per-type-and-group rows: grouping sets
        rowsOf(
          await tx.execute(sql`select grouping(m.sop_type, m.skill_group) as whole, m.sop_type, m.skill_group, ${MEASURES} from ticket_metrics m where ${where(f)}
      group by grouping sets ((), (m.sop_type, m.skill_group)) order by 1 desc, volume desc, 2, 3`),
        ),
    await tx.execute(sql`select m.skill_group, m.status, count(*)::int as n from ticket_metrics m
      where m.status <> 'closed' and ${where(f, { anyTime: true })} group by 1, 2 order by 1, 2`),
  ]);
  const totals = rows.find((r) => Number(r.whole) !== 0);
  return {
    from: f.from.toISOString(),
    to: f.to.toISOString(),
    // no rows in the range: the grouping set () still answers one row of zeros
    totals: measuresOf(totals ?? { volume: 0, closed: 0, within_sla: 0, escalated: 0, reopened: 0, rated: 0, rated_low: 0 }),
    byTypeAndGroup: rows.filter((r) => Number(r.whole) === 0).map((r) => ({ type: String(r.sop_type), group: String(r.skill_group), ...measuresOf(r) })),
    backlog: rowsOf(backlog).map((r) => ({ group: String(r.skill_group), status: String(r.status), tickets: Number(r.n) })),
  };
}

/** hour for a range up to 3 days, day up to 90, week beyond */
export function defaultInterval(f: MetricsFilter): Interval {
  const days = (f.to.getTime() - f.from.getTime()) / 86_400_000;
  return days <= 3 ? 'hour' : days <= 90 ? 'day' : 'week';
}

export interface TimeseriesPoint {
  /** start of the bucket (UTC) */
  t: string;
  key: string | null;
  tickets: number;
}

/** Ticket volume per bucket and value of one dimension (or in total when `by` is absent), ordered by time. */
export async function timeseries(db: Database, f: MetricsFilter, by: Dimension | null, interval: Interval, opts: ReportOptions = {}): Promise<TimeseriesPoint[]> {
  const key = by ? sql.raw(`m.${DIMENSIONS[by]}`) : sql`null::text`;
  const rows = await report(db, async (tx) =>
    (opts.exact ? null : await timeseriesFromRollups(tx, f, by, interval)) ??
    rowsOf(
      await tx.execute(sql`select date_trunc(${interval}, m.created_at at time zone 'UTC') as t, ${key} as key, count(*)::int as n
      from ticket_metrics m where ${where(f)} group by 1, 2 order by 1, 2`),
    ),
  );
  return rows.map((r) => ({ t: utc(r.t), key: r.key === null ? null : String(r.key), tickets: Number(r.n) }));
}

/** a `timestamp without time zone` in UTC, as ISO-8601 */
function utc(v: unknown): string {
  if (v instanceof Date) return new Date(v.getTime() - v.getTimezoneOffset() * 60_000).toISOString();
  return new Date(`${String(v).replace(' ', 'T')}Z`).toISOString();
}

export interface FunnelStep {
  step: string;
  kind: string;
  /** visits (a ticket that comes back counts again) and tickets (those whose first visit to the step is in the range) */
  entered: number;
  tickets: number;
  /** visits still in the step */
  inStep: number;
  breaches: number;
  escalations: number;
  medianMinutes: number | null;
  p90Minutes: number | null;
  /** how visits ended: the event kind, the decision or branch taken, the step they went to */
  transitions: Array<{ by: string; decision: string | null; to: string | null; visits: number }>;
  /** the slowest step of this version by median time in step */
  bottleneck: boolean;
}

export interface FunnelVersion {
  version: number;
  tickets: number;
  steps: FunnelStep[];
}

/** The visits in scope: of the SOP (and versions, when given), entered in the range, of tickets matching the other filters. */
function visitScope(sop: string, versions: number[], f: MetricsFilter): SQL {
  const dims = (Object.entries(DIMENSIONS) as Array<[Dimension, string]>).filter(([key]) => f[key] !== undefined && key !== 'type');
  const ticketFilter = dims.length
    ? sql` and exists (select 1 from ticket_metrics m where m.ticket_id = v.ticket_id and ${sql.join(
        dims.map(([key, column]) => sql`${sql.raw(`m.${column}`)} = ${f[key]!}`),
        sql` and `,
      )})`
    : sql``;
  const versionFilter = versions.length ? sql` and v.sop_version in (${sql.join(versions.map((v) => sql`${v}`), sql`, `)})` : sql``;
  return sql`v.sop_type = ${sop}${versionFilter} and v.entered_at >= ${f.from.toISOString()} and v.entered_at < ${f.to.toISOString()}${ticketFilter}`;
}

/**
 * The funnel of `versions` (none: every version with visits in the range, oldest first). One statement: the visits in
 * scope are read once (a materialized CTE) and aggregated three ways, answered as JSON.
 */
export async function funnel(db: Database, sop: string, versions: number[], f: MetricsFilter, opts: ReportOptions = {}): Promise<FunnelVersion[]> {
  const { steps, transitions, tickets } = await report(db, async (tx) => (opts.exact ? null : await funnelFromRollups(tx, sop, versions, f)) ?? exactFunnel(tx, sop, versions, f));
  return assembleFunnel(versions, steps, transitions, tickets);
}

async function exactFunnel(tx: Database, sop: string, versions: number[], f: MetricsFilter): Promise<{ steps: Row[]; transitions: Row[]; tickets: Row[] }> {
  const [row] = rowsOf(
    await tx.execute(sql`with v as materialized (
        select v.sop_version, v.step, v.step_kind, v.seq, v.left_at is null as here, v.breached, v.escalated, v.left_by, v.decision, v.next_step, v.first_in_step, v.first_in_version,
          extract(epoch from (v.left_at - v.entered_at)) as s
        from step_visits v where ${visitScope(sop, versions, f)})
      select
        (select coalesce(json_agg(x order by x.sop_version, x.position, x.step), '[]') from (
          select sop_version, step, min(step_kind) as kind, count(*)::int as entered, count(*) filter (where first_in_step)::int as tickets,
            count(*) filter (where here)::int as in_step, count(*) filter (where breached)::int as breaches, count(*) filter (where escalated)::int as escalations,
            percentile_cont(0.5) within group (order by s) as p50, percentile_cont(0.9) within group (order by s) as p90, avg(seq) as position
          from v group by 1, 2) x) as steps,
        (select coalesce(json_agg(x order by x.sop_version, x.step, x.n desc, x.left_by, x.decision, x.next_step), '[]') from (
          select sop_version, step, left_by, decision, next_step, count(*)::int as n from v where not here group by 1, 2, 3, 4, 5) x) as transitions,
        (select coalesce(json_agg(x), '[]') from (select sop_version, count(*) filter (where first_in_version)::int as n from v group by 1) x) as tickets`),
  );
  const parse = (v: unknown): Row[] => (typeof v === 'string' ? JSON.parse(v) : (v as Row[]) ?? []);
  return { steps: parse(row?.steps), transitions: parse(row?.transitions), tickets: parse(row?.tickets) };
}

/** versions, steps (median and p90 in seconds), transitions and tickets per version → the funnel, bottleneck marked */
function assembleFunnel(versions: number[], steps: Row[], transitions: Row[], tickets: Row[]): FunnelVersion[] {
  const seen = versions.length ? versions : [...new Set(tickets.map((r) => Number(r.sop_version)))].sort((a, b) => a - b);
  const out = new Map<number, FunnelVersion>(seen.map((v) => [v, { version: v, tickets: 0, steps: [] }]));
  for (const r of tickets) out.get(Number(r.sop_version))!.tickets = Number(r.n);
  const byStep = new Map<string, FunnelStep>();
  /** unrounded median seconds: the bottleneck is chosen before rounding to minutes */
  const medianSeconds = new Map<FunnelStep, number>();
  for (const r of steps) {
    const step: FunnelStep = {
      step: String(r.step),
      kind: String(r.kind),
      entered: Number(r.entered),
      tickets: Number(r.tickets),
      inStep: Number(r.in_step),
      breaches: Number(r.breaches),
      escalations: Number(r.escalations),
      medianMinutes: minutes(r.p50),
      p90Minutes: minutes(r.p90),
      transitions: [],
      bottleneck: false,
    };
    out.get(Number(r.sop_version))!.steps.push(step);
    byStep.set(`${r.sop_version}:${r.step}`, step);
    if (r.p50 !== null) medianSeconds.set(step, Number(r.p50));
  }
  for (const r of transitions) {
    byStep.get(`${r.sop_version}:${r.step}`)?.transitions.push({ by: String(r.left_by), decision: r.decision === null ? null : String(r.decision), to: r.next_step === null ? null : String(r.next_step), visits: Number(r.n) });
  }
  for (const version of out.values()) {
    const timed = version.steps.filter((s) => medianSeconds.has(s));
    const slowest = timed.reduce<FunnelStep | null>((best, s) => (best === null || medianSeconds.get(s)! > medianSeconds.get(best)! ? s : best), null);
    if (slowest && medianSeconds.get(slowest)! > 0) slowest.bottleneck = true;
  }
  return [...out.values()];
}

export interface TicketMetricsRow {
  ticketId: string;
  createdAt: string;
  type: string;
  version: number;
  category: string;
  group: string;
  channel: string;
  region: string | null;
  appVersion: string | null;
  status: string;
  firstResponseMinutes: number | null;
  handlingMinutes: number | null;
  breaches: number;
  escalated: boolean;
  reopens: number;
  rating: number | null;
}

/**
 * Every ticket in the filter, in pages of `pageSize` by (created_at, ticket_id): an export of any size
 * holds one page in memory at a time.
 */
export async function* ticketRows(db: Database, f: MetricsFilter, pageSize = 5_000): AsyncGenerator<TicketMetricsRow> {
  let after: { at: string; id: string } | null = null;
  for (;;) {
    const keyset: SQL = after ? sql` and (m.created_at, m.ticket_id) > (${after.at}::timestamptz, ${after.id})` : sql``;
    const rows = rowsOf(
      await db.execute(sql`select m.*, ${seconds('first_response_at', 'created_at')} as first_response_s, ${seconds('closed_at', 'created_at')} as handling_s,
          to_char(m.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_iso
        from ticket_metrics m where ${where(f)}${keyset} order by m.created_at, m.ticket_id limit ${pageSize}`),
    );
    for (const r of rows) {
      yield {
        ticketId: String(r.ticket_id),
        createdAt: String(r.created_iso),
        type: String(r.sop_type),
        version: Number(r.sop_version),
        category: String(r.category),
        group: String(r.skill_group),
        channel: String(r.channel),
        region: (r.region as string | null) ?? null,
        appVersion: (r.app_version as string | null) ?? null,
        status: String(r.status),
        firstResponseMinutes: minutes(r.first_response_s),
        handlingMinutes: minutes(r.handling_s),
        breaches: Number(r.breaches),
        escalated: Boolean(r.escalated),
        reopens: Number(r.reopens),
        rating: num(r.rating),
      };
    }
    if (rows.length < pageSize) return;
    const last = rows.at(-1)!;
    after = { at: String(last.created_iso), id: String(last.ticket_id) };
  }
}
