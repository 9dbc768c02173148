// Report queries at scale: overview, time series, funnel and the CSV exports over 1,000,000 tickets,
// 10,000,000 events and their step visits in PostgreSQL (target: < 200 ms per report).
//   npx tsx bench/metrics.bench.ts [--tickets 1000000] [--days 90] [--runs 7]
//   npx tsx bench/metrics.bench.ts --reuse      # queries only, on the database a previous run loaded
// The data is bulk-loaded with generate_series (not through the workflows), in chunks with progress:
// tickets spread over `days` days (open only among the last 3 days' tickets), 10 events each, 4–8 step visits
// each (a funnel that loses tickets step by step), SOP version 2 for the last sixth of the range. Then VACUUM ANALYZE, then each query `runs`
// times through the same repository functions the API calls (p50 and max reported).
// Ranges of 2 whole days or more read the daily rollups (schema/metrics-rollups.ts); rows marked "exact path" force the
// per-ticket scan for comparison.
// PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ticketflow_metrics_bench), recreated.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { freshTestDatabase } from '../scripts/postgres';
import { migrateDatabase, openDatabase, type Database } from '../schema';
import { funnel, overview, ticketRows, timeseries, type MetricsFilter } from '../schema/metrics-repository';
import { csvLine } from '../api/csv';

const { values } = parseArgs({
  options: {
    tickets: { type: 'string', default: '1000000' },
    days: { type: 'string', default: '90' },
    runs: { type: 'string', default: '7' },
    reuse: { type: 'boolean', default: false },
  },
});
const TICKETS = Number(values.tickets);
const DAYS = Number(values.days);
const RUNS = Number(values.runs);
const EVENTS_PER_TICKET = 10;
const CHUNK = 50_000;
const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ticketflow_metrics_bench';

const TYPES = ['fee_dispute', 'late_arrival', 'attitude', 'cargo_damage', 'cargo_loss', 'safety_incident', 'app_technical', 'triage'];
const GROUPS = ['fee_group', 'order_exception_group', 'qa_group', 'claims_group', 'claims_group', 'safety_group', 'tech_group', 'general_group'];
const STEPS = ['fetch_order', 'check_order', 'analyze', 'match_solution', 'send_solution', 'await_confirmation', 'review', 'apply_solution', 'close_resolved'];
const STEP_KINDS = ['action', 'decision', 'action', 'action', 'notify', 'wait_signal', 'human_task', 'action', 'close'];
const list = (xs: string[]) => sql.raw(`(array[${xs.map((x) => `'${x}'`).join(',')}])`);

function bar(done: number, total: number, label: string, started: number) {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const rate = done / ((Date.now() - started) / 1000);
  process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done.toLocaleString()}/${total.toLocaleString()} ${Math.round(rate).toLocaleString()}/s   `);
  if (done === total) process.stderr.write('\n');
}

async function load(db: Database) {
  const started = Date.now();
  for (let first = 0; first < TICKETS; first += CHUNK) {
    const last = Math.min(first + CHUNK, TICKETS) - 1;
    await db.transaction(async (tx) => {
      await tx.execute(sql`insert into intake_requests (request_id, user_id, channel, language, text, created_at)
        select 'R-' || i, 'U-' || (i % 200000), 'app', 'zh', 'bench', now() from generate_series(${first}::int, ${last}::int) i`);
      // one random draw per ticket, spread over the range; type and group go together
      await tx.execute(sql`insert into tickets (id, request_id, workflow_id, category, subtype, skill_group, priority, status, channel, user_id, user_tier, region, app_version, language, original_text, issue_text, sop_type, sop_version, created_at, updated_at)
        select 'T-' || i, 'R-' || i, 'ticket-T-' || i, ${list(TYPES)}[1 + t] , 'other', ${list(GROUPS)}[1 + t], 1 + (i % 5),
          case when r < 0.9 or at < now() - interval '3 days' then 'closed' when r < 0.95 then 'in_progress' else 'awaiting_confirmation' end,
          (array['app','web','phone','wechat'])[1 + (i % 4)], 'U-' || (i % 200000), 'normal', 'region-' || ((hashtext('r' || i) & 2147483647) % 30), '5.' || ((hashtext('v' || i) & 2147483647) % 12) || '.0', 'zh', 'bench', 'bench',
          ${list(TYPES)}[1 + t], case when at > now() - ${DAYS / 6} * interval '1 day' then 2 else 1 end, at, at
        from (select i, ((hashtext('t' || i) & 2147483647) % 8) as t, random() as r, now() - random() * ${DAYS} * interval '1 day' as at from generate_series(${first}::int, ${last}::int) i) g`);
      await tx.execute(sql`insert into ticket_events (ticket_id, seq, step, kind, actor, data, at, sop_type, sop_version, step_kind)
        select t.id, s, case when s = 0 then 'intake' else ${list(STEPS)}[s] end, case when s = 0 then 'created' when s % 2 = 1 then 'entered' else 'completed' end,
          'system', '{}'::jsonb, t.created_at + s * interval '3 minutes', t.sop_type, t.sop_version, case when s = 0 then null else ${list(STEP_KINDS)}[s] end
        from tickets t cross join generate_series(0, ${EVENTS_PER_TICKET - 1}) s where t.id in (select 'T-' || i from generate_series(${first}::int, ${last}::int) i)`);
      // visits: each ticket goes through the first n steps (4–8), the slow one is the human review
      await tx.execute(sql`insert into step_visits (ticket_id, seq, step, step_kind, sop_type, sop_version, entered_at, left_at, left_by, next_step, decision, breached, escalated, first_in_step, first_in_version)
        select t.id, k * 2, ${list(STEPS)}[k], ${list(STEP_KINDS)}[k], t.sop_type, t.sop_version, t.created_at + k * interval '3 minutes',
          case when k = n and t.status <> 'closed' then null else t.created_at + k * interval '3 minutes' + (case when k = 7 then 120 else 2 end) * random() * interval '1 minute' end,
          case when k = n and t.status <> 'closed' then null when k = 6 then 'signal' when k = 7 then 'decided' else 'completed' end,
          case when k < n then ${list(STEPS)}[k + 1] end, case when k = 7 then (array['approve','reject'])[1 + (t.priority % 2)] end,
          k = 7 and t.priority = 5, k = 7 and t.priority >= 4, true, k = 1
        from (select id, created_at, sop_type, sop_version, status, priority, 4 + ((hashtext(id) & 2147483647) % 5) as n from tickets where id in (select 'T-' || i from generate_series(${first}::int, ${last}::int) i)) t
        cross join generate_series(1, 8) k where k <= t.n`);
      await tx.execute(sql`insert into ticket_metrics (ticket_id, created_at, sop_type, sop_version, category, skill_group, channel, region, app_version, status, first_response_at, closed_at, breaches, escalated, reopens, rating, rating_low)
        select t.id, t.created_at, t.sop_type, t.sop_version, t.category, t.skill_group, t.channel, t.region, t.app_version, t.status,
          t.created_at + random() * interval '30 minutes', case when t.status = 'closed' then t.created_at + random() * interval '48 hours' end,
          (t.priority = 5)::int, t.priority >= 4, (hashtext(t.id) % 20 = 0)::int,
          case when t.status = 'closed' and t.priority % 2 = 0 then 1 + (hashtext(t.id) & 3) + (t.priority % 4 = 0)::int end,
          case when t.status = 'closed' and t.priority % 2 = 0 then 1 + (hashtext(t.id) & 3) + (t.priority % 4 = 0)::int <= 2 end
        from tickets t where t.id in (select 'T-' || i from generate_series(${first}::int, ${last}::int) i)`);
    });
    bar(last + 1, TICKETS, 'loading tickets, events, visits', started);
  }
  // production rows arrive in time order, so a range of days is a run of neighbouring pages; the generator draws
  // random times, so the tables are put in that order once (CLUSTER), as a long-running system's tables would be
  process.stderr.write('CLUSTER by time, VACUUM ANALYZE …\n');
  await db.execute(sql`cluster ticket_metrics using ticket_metrics_created_idx`);
  await db.execute(sql`cluster step_visits using step_visits_sop_idx`);
  await db.execute(sql`vacuum analyze`);
  // the rows above bypassed refresh_ticket_analytics, which keeps the daily rollups: sum them once
  process.stderr.write('daily rollups …\n');
  await db.execute(sql`select rebuild_metrics_rollups()`);
  await db.execute(sql`vacuum analyze metrics_daily, metrics_daily_durations, metrics_daily_volume, funnel_daily, funnel_daily_durations`);
  return (Date.now() - started) / 1000;
}

async function time<T>(label: string, run: () => Promise<T>, describe: (result: T) => string) {
  const ms: number[] = [];
  let result!: T;
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    result = await run();
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  ms.sort((a, b) => a - b);
  const row = { label, p50: Math.round(ms[Math.floor(ms.length / 2)]!), max: Math.round(ms.at(-1)!), result: describe(result) };
  console.log(`| ${row.label} | ${row.p50} | ${row.max} | ${row.result} |`);
  return row;
}

async function main() {
  if (!values.reuse) await freshTestDatabase(url);
  const handle = await openDatabase({ databaseUrl: url, dataDir: os.tmpdir(), poolSize: 4 });
  const { db } = handle;
  try {
    // --reuse: a database loaded by an older version gets the newer migrations (the rollups' migration sums them)
    await migrateDatabase(handle);
    if (!values.reuse) {
      const seconds = await load(db);
      console.log(`loaded ${TICKETS.toLocaleString()} tickets, ${(TICKETS * EVENTS_PER_TICKET).toLocaleString()} events in ${Math.round(seconds)} s`);
    }
    const counts = (await db.execute(sql`select (select count(*) from tickets) as tickets, (select count(*) from ticket_events) as events, (select count(*) from step_visits) as visits`)) as unknown as Array<Record<string, string>>;
    console.log(`database: ${Number(counts[0]!.tickets).toLocaleString()} tickets, ${Number(counts[0]!.events).toLocaleString()} events, ${Number(counts[0]!.visits).toLocaleString()} step visits; ${os.cpus().length} cores\n`);
    const now = Date.now();
    const last = (days: number): MetricsFilter => ({ from: new Date(now - days * 86_400_000), to: new Date(now + 60_000) });
    const loadAverage = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
    console.log(`load average before: ${loadAverage()}`);
    console.log('| query | p50 ms | max ms | answer |\n|---|---|---|---|');
    await time('overview, 7 days', () => overview(db, last(7)), (r) => `${r.totals.volume} tickets, ${r.byTypeAndGroup.length} type×group rows, ${r.backlog.length} backlog rows`);
    await time('overview, 7 days, type=fee_dispute, region-3', () => overview(db, { ...last(7), type: 'fee_dispute', region: 'region-3' }), (r) => `${r.totals.volume} tickets`);
    await time('overview, 30 days', () => overview(db, last(30)), (r) => `${r.totals.volume} tickets`);
    await time('overview, 30 days, exact path (no rollups)', () => overview(db, last(30), { exact: true }), (r) => `${r.totals.volume} tickets`);
    await time('overview, 90 days', () => overview(db, last(90)), (r) => `${r.totals.volume} tickets`);
    await time('timeseries by region, 7 days, hourly', () => timeseries(db, last(7), 'region', 'hour'), (r) => `${r.length} points`);
    await time('timeseries by app version, 30 days, daily', () => timeseries(db, last(30), 'appVersion', 'day'), (r) => `${r.length} points`);
    await time('funnel fee_dispute, 7 days', () => funnel(db, 'fee_dispute', [], last(7)), (r) => `${r.length} version(s), ${r.reduce((n, v) => n + v.tickets, 0)} tickets`);
    await time('funnel fee_dispute, 30 days, versions 1,2', () => funnel(db, 'fee_dispute', [1, 2], last(30)), (r) => `${r.map((v) => `v${v.version}: ${v.tickets}`).join(', ')}`);
    await time('funnel fee_dispute, 30 days, exact path (no rollups)', () => funnel(db, 'fee_dispute', [1, 2], last(30), { exact: true }), (r) => `${r.map((v) => `v${v.version}: ${v.tickets}`).join(', ')}`);
    await time('funnel fee_dispute, 7 days, region-3 (joins ticket_metrics)', () => funnel(db, 'fee_dispute', [1, 2], { ...last(7), region: 'region-3' }), (r) => `${r.reduce((n, v) => n + v.tickets, 0)} tickets`);
    await time('CSV funnel, 30 days (query + formatting)', async () => {
      const versions = await funnel(db, 'fee_dispute', [1, 2], last(30));
      return versions.flatMap((v) => v.steps.flatMap((s) => s.transitions.map((t) => csvLine([v.version, s.step, s.entered, t.by, t.to, t.visits])))).join('').length;
    }, (bytes) => `${bytes} bytes`);
    await time('CSV tickets, 1 day (every row)', async () => {
      let rows = 0;
      for await (const r of ticketRows(db, last(1))) rows += csvLine([r.ticketId, r.createdAt, r.type, r.group, r.region, r.handlingMinutes]).length > 0 ? 1 : 0;
      return rows;
    }, (rows) => `${rows} rows`);
    await time('CSV tickets, 7 days (every row)', async () => {
      let rows = 0;
      for await (const r of ticketRows(db, last(7))) rows += csvLine([r.ticketId, r.createdAt, r.type, r.group, r.region, r.handlingMinutes]).length > 0 ? 1 : 0;
      return rows;
    }, (rows) => `${rows} rows`);
    console.log(`load average after: ${loadAverage()}`);
  } finally {
    await handle.close();
  }
}

await main();
