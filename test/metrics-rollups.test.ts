// The daily rollups behind long-range reports: maintained by refresh_ticket_analytics in the write's transaction,
// equal to a rebuild from scratch after incremental changes, and answering the same counts as the exact path with
// medians and p90s within the documented error (schema/duration-buckets.ts). Ticket rows and events are
// bulk-inserted over ten days (the workflows write the same rows; test/metrics.test.ts covers that path).
import test from 'ava';
import { sql } from 'drizzle-orm';
import { bucketOf, MAX_RELATIVE_ERROR } from '../schema/duration-buckets';
import { funnel, overview, timeseries, type Measures, type MetricsFilter } from '../schema/metrics-repository';
import { rollupPlan } from '../schema/metrics-rollups';
import { startTestStack, type TestStack } from './helpers/stack';

let stack: TestStack;
const TICKETS = 2_000;
const rows = async (query: ReturnType<typeof sql>) => (await stack.db.execute(query)) as unknown as Array<Record<string, unknown>>;
const refresh = async (ids: string[]) => {
  for (let i = 0; i < ids.length; i += 500) await stack.db.execute(sql`select refresh_ticket_analytics(${sql.raw('ARRAY[')}${sql.join(ids.slice(i, i + 500).map((id) => sql`${id}`), sql`, `)}${sql.raw(']::text[]')})`);
};

/** events of a ticket: an action, a human task (breached for every 7th, still open for every 5th), a notice to the user, the close, a rating */
const EVENTS = sql`insert into ticket_events (ticket_id, seq, step, kind, actor, data, at, sop_type, sop_version, step_kind)
  select t.id, e.seq, e.step, e.kind, e.actor, e.data, t.created_at + e.seq * e.seq * (1 + (hashtext(t.id) & 1023)) * interval '5 seconds', t.sop_type, t.sop_version, e.step_kind
  from (select *, substr(id, 4)::int as n from tickets where id like 'RT-%') t cross join lateral (values
    (0, 'intake', 'created', 'system', '{}'::jsonb, null),
    (1, 'fetch_order', 'entered', 'system', '{}'::jsonb, 'action'),
    (2, 'fetch_order', 'completed', 'system', '{}'::jsonb, 'action'),
    (3, 'review', 'entered', 'system', '{}'::jsonb, 'human_task'),
    (4, 'review', 'sla_breached', 'system', '{}'::jsonb, 'human_task'),
    (5, 'review', 'decided', 'agent:A-1', jsonb_build_object('decision', case when t.n % 2 = 0 then 'approve' else 'reject' end), 'human_task'),
    (6, 'send_solution', 'notified', 'system', '{"to":"user"}'::jsonb, 'notify'),
    (7, 'close_resolved', 'archived', 'system', '{}'::jsonb, 'close'),
    (8, 'survey', 'rated', 'user', jsonb_build_object('score', 1 + t.n % 5, 'low', t.n % 5 < 2), null)
  ) e(seq, step, kind, actor, data, step_kind)
  where (e.seq <> 4 or t.n % 7 = 0) and (e.seq < 5 or t.n % 5 <> 0) and (e.seq <> 8 or t.n % 3 = 0)`;

test.before(async () => {
  stack = await startTestStack({ worker: false });
  await stack.db.execute(sql`insert into intake_requests (request_id, user_id, channel, language, text, created_at)
    select 'RR-' || i, 'U-1', 'app', 'zh', 'x', now() from generate_series(1, ${TICKETS}::int) i`);
  await stack.db.execute(sql`insert into tickets (id, request_id, workflow_id, category, subtype, skill_group, priority, status, channel, user_id, user_tier, region, app_version, language, original_text, issue_text, sop_type, sop_version, created_at, updated_at)
    select 'RT-' || i, 'RR-' || i, 'ticket-RT-' || i, (array['fee', 'late'])[1 + i % 2], 'other', (array['fee_group', 'order_exception_group'])[1 + i % 2], 1,
      case when i % 5 = 0 then 'in_progress' else 'closed' end, (array['app', 'web'])[1 + i % 2], 'U-1', 'normal', 'region-' || (i % 3), '5.' || (i % 4) || '.0', 'zh', 'x', 'x',
      (array['fee_dispute', 'late_arrival'])[1 + i % 2], case when at > now() - interval '3 days' then 2 else 1 end, at, at
    from (select i, now() - (hashtext('c' || i) & 65535) / 65536.0 * interval '10 days' as at from generate_series(1, ${TICKETS}::int) i) g`);
  await stack.db.execute(EVENTS);
  await refresh(Array.from({ length: TICKETS }, (_, i) => `RT-${i + 1}`));
});
test.after.always(async () => {
  await stack?.close();
});

const now = Date.now();
/** 9.5 days: partial days at both ends, 8 whole days from the rollups */
const LONG: MetricsFilter = { from: new Date(now - 9.5 * 86_400_000), to: new Date(now + 60_000) };

const ROLLUPS = ['metrics_daily', 'metrics_daily_durations', 'metrics_daily_volume', 'funnel_daily', 'funnel_daily_durations'];
/** every rollup row that counts something, in a stable order */
async function rollupContents() {
  const out: Record<string, string[]> = {};
  for (const table of ROLLUPS) {
    const all = await rows(sql.raw(`select * from ${table}`));
    out[table] = all.map((r) => JSON.stringify(Object.entries(r).sort())).filter((r) => !/"(volume|n|tickets|visits)",0\]/.test(r)).sort();
  }
  return out;
}

function near(t: import('ava').ExecutionContext, rolled: number | null, exact: number | null, what: string) {
  if (exact === null) return t.is(rolled, null, what);
  // both rounded to 0.01 minute
  t.true(rolled !== null && Math.abs(rolled - exact) <= exact * MAX_RELATIVE_ERROR + 0.01, `${what}: ${rolled} vs exact ${exact}`);
}
function sameMeasures(t: import('ava').ExecutionContext, rolled: Measures, exact: Measures, what: string) {
  const { firstResponseMinutes: rf, handlingMinutes: rh, ...rCounts } = rolled;
  const { firstResponseMinutes: ef, handlingMinutes: eh, ...eCounts } = exact;
  t.deepEqual(rCounts, eCounts, what);
  near(t, rf.median, ef.median, `${what} first response median`);
  near(t, rf.p90, ef.p90, `${what} first response p90`);
  near(t, rh.median, eh.median, `${what} handling median`);
  near(t, rh.p90, eh.p90, `${what} handling p90`);
}

test.serial('duration buckets: SQL and TypeScript agree on the bucket of a duration', async (t) => {
  const samples = [0, 0.0005, 0.002, 0.5, 1, 1.5, 59, 60, 61, 3_599, 86_400, 1_234_567];
  const [row] = await rows(sql`select array[${sql.join(samples.map((s) => sql`duration_bucket(${s}::float8)`), sql`, `)}]::int[] as b`);
  t.deepEqual((row!.b as number[]).map(Number), samples.map(bucketOf));
});

test.serial('the rollups maintained ticket by ticket equal a rebuild from scratch', async (t) => {
  const incremental = await rollupContents();
  t.true(incremental.metrics_daily!.length >= 20, 'about 11 days × 2 types');
  await stack.db.execute(sql`select rebuild_metrics_rollups()`);
  t.deepEqual(await rollupContents(), incremental);
});

test.serial('overview over a long range: the same counts as the exact path, medians within the documented error', async (t) => {
  t.truthy(rollupPlan(LONG, ['type', 'group']), 'the long range takes the rollup path');
  t.is(rollupPlan({ from: new Date(now - 86_400_000), to: new Date(now) }, ['type', 'group']), null, 'a day stays exact');
  for (const f of [LONG, { ...LONG, type: 'fee_dispute' }]) {
    const [rolled, exact] = [await overview(stack.db, f), await overview(stack.db, f, { exact: true })];
    t.true(exact.totals.volume > 500);
    sameMeasures(t, rolled.totals, exact.totals, 'totals');
    t.deepEqual(rolled.byTypeAndGroup.map((r) => `${r.type}/${r.group}`), exact.byTypeAndGroup.map((r) => `${r.type}/${r.group}`));
    rolled.byTypeAndGroup.forEach((r, i) => sameMeasures(t, r, exact.byTypeAndGroup[i]!, `${r.type}/${r.group}`));
    t.deepEqual(rolled.backlog, exact.backlog);
  }
});

test.serial('time series by day and week: the same points as the exact path', async (t) => {
  t.deepEqual(await timeseries(stack.db, LONG, 'region', 'day'), await timeseries(stack.db, LONG, 'region', 'day', { exact: true }));
  t.deepEqual(await timeseries(stack.db, LONG, null, 'week'), await timeseries(stack.db, LONG, null, 'week', { exact: true }));
  const byType = await timeseries(stack.db, { ...LONG, type: 'late_arrival' }, 'type', 'day');
  t.deepEqual(byType, await timeseries(stack.db, { ...LONG, type: 'late_arrival' }, 'type', 'day', { exact: true }));
  t.true(byType.length >= 9);
});

test.serial('funnel over a long range: the same counts and transitions, medians within the documented error', async (t) => {
  for (const versions of [[], [1]]) {
    const [rolled, exact] = [await funnel(stack.db, 'fee_dispute', versions, LONG), await funnel(stack.db, 'fee_dispute', versions, LONG, { exact: true })];
    t.deepEqual(rolled.map((v) => [v.version, v.tickets]), exact.map((v) => [v.version, v.tickets]));
    rolled.forEach((v, i) => {
      const strip = (s: (typeof v.steps)[number]) => ({ ...s, medianMinutes: 0, p90Minutes: 0, bottleneck: false });
      t.deepEqual(v.steps.map(strip), exact[i]!.steps.map(strip));
      v.steps.forEach((s, j) => {
        near(t, s.medianMinutes, exact[i]!.steps[j]!.medianMinutes, `v${v.version} ${s.step} median`);
        near(t, s.p90Minutes, exact[i]!.steps[j]!.p90Minutes, `v${v.version} ${s.step} p90`);
      });
      t.is(v.steps.find((s) => s.bottleneck)?.step, 'review');
    });
    t.true(exact[0]!.steps.find((s) => s.step === 'review')!.inStep > 0, 'open tickets are still in review');
  }
});

test.serial('a ticket that moves on changes the rollups in its own refresh; refreshing again changes nothing', async (t) => {
  const open = (await rows(sql`select id from tickets where id like 'RT-%' and status = 'in_progress' order by id limit 60`)).map((r) => String(r.id));
  const before = await overview(stack.db, LONG);
  // they are decided, notified, closed; a third of them moves to another queue
  await stack.db.execute(sql`insert into ticket_events (ticket_id, seq, step, kind, actor, data, at, sop_type, sop_version, step_kind)
    select t.id, e.seq, e.step, e.kind, 'agent:A-2', e.data, t.created_at + e.seq * interval '1 hour', t.sop_type, t.sop_version, e.step_kind
    from tickets t cross join (values (5, 'review', 'decided', '{"decision":"approve"}'::jsonb, 'human_task'), (6, 'send_solution', 'notified', '{"to":"user"}'::jsonb, 'notify'),
      (7, 'close_resolved', 'archived', '{}'::jsonb, 'close')) e(seq, step, kind, data, step_kind)
    where t.id in (${sql.join(open.map((id) => sql`${id}`), sql`, `)})`);
  await stack.db.execute(sql`update tickets set status = 'closed', skill_group = case when substr(id, 4)::int % 3 = 0 then 'supervisor_group' else skill_group end
    where id in (${sql.join(open.map((id) => sql`${id}`), sql`, `)})`);
  await refresh(open);
  const once = await rollupContents();
  await refresh(open);
  t.deepEqual(await rollupContents(), once, 'a second refresh of the same events');
  const after = await overview(stack.db, LONG);
  const moved = open.filter((id) => Number(id.slice(3)) % 3 === 0).length;
  t.true(moved > 0);
  t.is(after.totals.volume, before.totals.volume);
  const inRange = (await rows(sql`select count(*)::int as n from tickets where id in (${sql.join(open.map((id) => sql`${id}`), sql`, `)}) and created_at >= ${LONG.from.toISOString()}`))[0]!.n as number;
  t.is(after.totals.closed, before.totals.closed + inRange);
  sameMeasures(t, after.totals, (await overview(stack.db, LONG, { exact: true })).totals, 'after the change');
  t.deepEqual(after.byTypeAndGroup.map((r) => [r.group, r.volume]), (await overview(stack.db, LONG, { exact: true })).byTypeAndGroup.map((r) => [r.group, r.volume]));
  await stack.db.execute(sql`select rebuild_metrics_rollups()`);
  t.deepEqual(await rollupContents(), once, 'the same as a rebuild');
});

test.serial('the long-range reports read the rollups (emptied, only the partial days remain)', async (t) => {
  const exact = await overview(stack.db, LONG, { exact: true });
  const exactFunnel = await funnel(stack.db, 'fee_dispute', [], LONG, { exact: true });
  const exactSeries = await timeseries(stack.db, LONG, 'channel', 'day', { exact: true });
  await stack.db.execute(sql`delete from metrics_daily; delete from funnel_daily; delete from metrics_daily_volume`);
  const rolled = await overview(stack.db, LONG);
  t.true(rolled.totals.volume < exact.totals.volume / 2, `${rolled.totals.volume} of ${exact.totals.volume}`);
  const rolledFunnel = await funnel(stack.db, 'fee_dispute', [], LONG);
  const count = (f: typeof rolledFunnel) => f.reduce((n, v) => n + v.tickets, 0);
  t.true(count(rolledFunnel) < count(exactFunnel) / 2, `${count(rolledFunnel)} of ${count(exactFunnel)}`);
  const series = await timeseries(stack.db, LONG, 'channel', 'day');
  t.true(series.length < exactSeries.length / 2, `${series.length} of ${exactSeries.length} points`);
  await stack.db.execute(sql`select rebuild_metrics_rollups()`);
});
