// The reports of issue 21 over real tickets running the real fee-dispute SOP (millisecond policies):
// events carry their SOP and step kind, step visits are idempotent, and overview, time series,
// funnel (with a version comparison) and the CSV exports count exactly what happened.
import fs from 'node:fs';
import test from 'ava';
import { sql } from 'drizzle-orm';
import { loadDefaultSops } from '../sops/load';
import { ticketEvents } from '../schema';
import { decide, poll, publishSopVersion, waitForLive, waitingForDecision } from './helpers/flows';
import { startTestStack, type TestStack } from './helpers/stack';
import { api, confirm, getTicket, orderOf, postTicket, reopen, userOf, waitForStatus } from './helpers/tickets';

let stack: TestStack;
test.before(async () => {
  stack = await startTestStack({ policy: { confirmationTimeout: 60_000, reopenWindow: 4_000 } });
});
test.after.always(async () => {
  await stack?.close();
});

const used = new Set<string>();
async function open(region: string, appVersion: string) {
  const order = await orderOf(stack, 'waiting_fee_overcharged', (o) => !used.has(o.id));
  used.add(order.id);
  const created = await postTicket(stack, { text: '等候费多收了,我明明只等了一会儿', orderId: order.id, userId: order.userId, region, appVersion });
  if (created.status !== 201) throw new Error(`POST /v1/tickets answered ${created.status}`);
  const ticket = created.body.tickets[0] as { id: string; sopType: string };
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  return ticket.id;
}
const rate = async (id: string, payload: object) => api(stack, 'POST', `/v1/tickets/${id}/rating`, { payload, as: { token: stack.auth.service, onBehalfOf: await userOf(stack, id) } });
const accept = async (id: string) => {
  await confirm(stack, id, { accepted: true });
  await waitForStatus(stack, id, 'closed');
};

let supervisor: string;
let version1: number;
let version2: number;
const ids: Record<'a' | 'b' | 'c' | 'd', string> = { a: '', b: '', c: '', d: '' };

// A accepted and rated 5; B rejected, explained by an agent, accepted and rated 1 (a review ticket opens);
// C still waiting for the user; D, under a newly published version, accepted, reopened (second handling) and waiting again.
test.serial.before(async () => {
  supervisor = await stack.auth.staff('MET-SUP', 'supervisor');
  [ids.a, ids.b, ids.c] = await Promise.all([open('north', '5.1.0'), open('south', '5.2.0'), open('south', '5.2.0')]);
  version1 = (await getTicket(stack, ids.a)).body.ticket.sopVersion;
  const fee = loadDefaultSops().find((d) => d.type === 'fee_dispute')!;
  const published = await publishSopVersion(stack, 'fee_dispute', fee);
  if (published.status !== 201) throw new Error(`publish answered ${published.status}: ${JSON.stringify(published.body)}`);
  version2 = published.body.version;
  ids.d = await open('north', '5.2.0');
  await Promise.all([
    (async () => {
      await accept(ids.a);
      if ((await rate(ids.a, { score: 5 })).status !== 202) throw new Error('rating A');
    })(),
    (async () => {
      await confirm(stack, ids.b, { accepted: false });
      await waitForLive(stack, ids.b, waitingForDecision('fee_group'));
      if ((await decide(stack, ids.b, { decision: 'explain', agentId: 'F-1', note: '按规则计费' })).status !== 202) throw new Error('decision B');
      await waitForStatus(stack, ids.b, 'awaiting_confirmation');
      await accept(ids.b);
      if ((await rate(ids.b, { score: 1, reason: 'not_solved' })).status !== 202) throw new Error('rating B');
    })(),
    (async () => {
      await accept(ids.d);
      if ((await reopen(stack, ids.d, { reason: 'not solved' })).status !== 202) throw new Error('reopen D');
      await poll('D proposed again', async () => ((await getTicket(stack, ids.d)).body.events.filter((e: { kind: string; step: string }) => e.kind === 'entered' && e.step === 'await_confirmation').length === 2 ? true : undefined), 20_000);
    })(),
  ]);
  // the low rating's review ticket is filed by the rated ticket's workflow
  await poll('the review ticket', async () => ((await stack.db.execute(sql`select 1 from tickets where sop_type = 'review'`)) as unknown[]).length || undefined, 20_000);
});

const get = async (url: string, as: unknown = supervisor, headers: Record<string, string> = {}) => api(stack, 'GET', url, { as: as as string, headers });
const range = () => `from=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`;

test('every event carries the SOP version it ran under and its step kind; outside the steps none', async (t) => {
  const events = await stack.db.select().from(ticketEvents).where(sql`${ticketEvents.ticketId} in (${ids.a}, ${ids.d})`).orderBy(ticketEvents.ticketId, ticketEvents.seq);
  const of = (id: string) => events.filter((e) => e.ticketId === id);
  t.deepEqual([...new Set(of(ids.a).map((e) => `${e.sopType}@${e.sopVersion}`))], [`fee_dispute@${version1}`]);
  t.deepEqual([...new Set(of(ids.d).map((e) => `${e.sopType}@${e.sopVersion}`))], [`fee_dispute@${version2}`]);
  const kinds = Object.fromEntries(of(ids.a).map((e) => [e.step, e.stepKind]));
  t.like(kinds, { intake: null, survey: null, fetch_order: 'action', check_order: 'decision', send_solution: 'notify', await_confirmation: 'wait_signal', close_resolved: 'close' });
});

test('step visits: entered and left per step, recomputing them changes nothing', async (t) => {
  const visits = async () => (await stack.db.execute(sql`select step, step_kind, entered_at, left_at, left_by, next_step, decision, breached, escalated from step_visits where ticket_id = ${ids.b} order by seq`)) as unknown as Array<Record<string, unknown>>;
  const before = await visits();
  const steps = before.map((v) => `${v.step}>${v.left_by}>${v.next_step ?? ''}`);
  t.deepEqual(steps.filter((s) => s.includes('confirmation>signal')), ['await_confirmation>signal>check_confirmation', 'await_review_confirmation>signal>check_review_confirmation'], 'B waited for the user twice');
  t.is(before.filter((v) => v.left_at === null).length, 0, 'B is closed: it left every step');
  t.is(before.at(-1)!.left_by, 'archived');
  const agentVisit = before.find((v) => v.step_kind === 'human_task')!;
  t.is(agentVisit.decision, 'explain');
  t.true(before.every((v) => (v.left_at as Date) >= (v.entered_at as Date)));
  await stack.db.execute(sql`select refresh_ticket_analytics(array(select id from tickets))`);
  t.deepEqual(await visits(), before);
  const open = (await stack.db.execute(sql`select step from step_visits where ticket_id = ${ids.c} and left_at is null`)) as unknown as Array<{ step: string }>;
  t.deepEqual(open.map((v) => v.step), ['await_confirmation'], 'C is still waiting for the user');
});

test('overview: exact counts, rates and satisfaction; per type and group; backlog', async (t) => {
  const { status, body } = await get(`/v1/metrics/overview?${range()}&type=fee_dispute`);
  t.is(status, 200, JSON.stringify(body));
  t.like(body.totals, { volume: 4, closed: 3, slaAttainment: 1, reopenRate: 0.3333, satisfaction: { ratings: 2, average: 3, lowShare: 0.5 } });
  t.is(body.totals.escalationRate, 0.25, 'B, rejected, went to the fee team');
  t.true(body.totals.handlingMinutes.median > 0);
  t.true(body.totals.firstResponseMinutes.p90 >= body.totals.firstResponseMinutes.median);
  t.deepEqual(body.byTypeAndGroup.map((r: { type: string; volume: number }) => [r.type, r.volume]), [['fee_dispute', 4]]);
  t.deepEqual(body.backlog, [{ group: body.byTypeAndGroup[0].group, status: 'awaiting_confirmation', tickets: 2 }], 'C, and D after its reopen');
  const all = await get(`/v1/metrics/overview?${range()}`);
  t.is(all.body.totals.volume, 5, 'with the review ticket of the low rating');
  t.is((await get(`/v1/metrics/overview?${range()}&region=north`)).body.totals.volume, 2);
  const empty = await get('/v1/metrics/overview?from=2019-01-01&to=2019-01-02');
  t.like(empty.body.totals, { volume: 0, closed: 0, slaAttainment: null, handlingMinutes: { median: null }, satisfaction: { ratings: 0, average: null } });
  t.deepEqual(empty.body.byTypeAndGroup, []);
});

test('time series by region and app version', async (t) => {
  const byRegion = await get(`/v1/metrics/timeseries?${range()}&type=fee_dispute&by=region&interval=day`);
  t.is(byRegion.status, 200);
  const total = (points: Array<{ key: string; tickets: number }>) => points.reduce<Record<string, number>>((acc, p) => ({ ...acc, [p.key]: (acc[p.key] ?? 0) + p.tickets }), {});
  t.deepEqual(total(byRegion.body.points), { north: 2, south: 2 });
  const byVersion = await get(`/v1/metrics/timeseries?${range()}&type=fee_dispute&by=appVersion`);
  t.is(byVersion.body.interval, 'hour');
  t.deepEqual(total(byVersion.body.points), { '5.1.0': 1, '5.2.0': 3 });
});

test('funnel per step, and two versions side by side', async (t) => {
  const { status, body } = await get(`/v1/metrics/funnel?${range()}&sop=fee_dispute`);
  t.is(status, 200, JSON.stringify(body));
  t.deepEqual(body.versions.map((v: { version: number; tickets: number }) => [v.version, v.tickets]), [[version1, 3], [version2, 1]]);
  const [v1, v2] = body.versions;
  const step = (v: typeof v1, id: string) => v.steps.find((s: { step: string }) => s.step === id);
  t.like(step(v1, 'fetch_order'), { kind: 'action', entered: 3, tickets: 3, inStep: 0 });
  t.like(step(v1, 'await_confirmation'), { kind: 'wait_signal', entered: 3, tickets: 3, inStep: 1, breaches: 0 });
  t.deepEqual(step(v1, 'await_confirmation').transitions, [{ by: 'signal', decision: null, to: 'check_confirmation', visits: 2 }]);
  t.like(step(v1, 'await_review_confirmation'), { entered: 1, inStep: 0 });
  const human = v1.steps.find((s: { kind: string }) => s.kind === 'human_task');
  t.like(human, { entered: 1, inStep: 0 });
  t.deepEqual(human.transitions.map((x: { by: string; decision: string }) => `${x.by}:${x.decision}`), ['decided:explain']);
  t.like(step(v2, 'close_resolved'), { entered: 1, inStep: 0 });
  t.like(step(v2, 'fetch_order'), { entered: 2, tickets: 1 }, 'D went round again after its reopen: two visits, one ticket');
  t.like(step(v2, 'await_confirmation'), { entered: 2, tickets: 1, inStep: 1 });
  for (const v of [v1, v2]) {
    const marked = v.steps.filter((s: { bottleneck: boolean }) => s.bottleneck);
    t.is(marked.length, 1);
    t.is(marked[0].medianMinutes, Math.max(...v.steps.map((s: { medianMinutes: number | null }) => s.medianMinutes ?? 0)), 'the slowest (to the minute shown, ties broken unrounded)');
  }
  const only2 = await get(`/v1/metrics/funnel?${range()}&sop=fee_dispute&version=${version2}`);
  t.deepEqual(only2.body.versions.map((v: { version: number }) => v.version), [version2]);
});

test('CSV: funnel by query, tickets by Accept header, every row', async (t) => {
  const funnel = await get(`/v1/metrics/funnel?${range()}&sop=fee_dispute&format=csv`);
  t.is(funnel.status, 200);
  const json = (await get(`/v1/metrics/funnel?${range()}&sop=fee_dispute`)).body;
  const expected = json.versions.flatMap((v: { steps: Array<{ transitions: unknown[] }> }) => v.steps.map((s) => Math.max(1, s.transitions.length))).reduce((a: number, b: number) => a + b, 0);
  const fLines = (funnel.body as string).trimEnd().split('\r\n');
  t.is(fLines[0], 'version,step,kind,entered,tickets,in_step,breaches,escalations,median_min,p90_min,bottleneck,left_by,decision,next_step,visits');
  t.is(fLines.length - 1, expected);
  const tickets = await get(`/v1/metrics/tickets?${range()}&type=fee_dispute`, supervisor, { accept: 'text/csv' });
  t.regex(String(tickets.headers['content-type']), /^text\/csv/);
  const lines = (tickets.body as string).trimEnd().split('\r\n');
  t.is(lines.length, 5);
  t.deepEqual(lines.slice(1).map((l) => l.split(',')[0]).sort(), Object.values(ids).sort());
});

test('reports are for supervisors, admins and keys with metrics:read', async (t) => {
  t.is((await get(`/v1/metrics/overview`, await stack.auth.staff('MET-AGENT', 'agent'))).status, 403);
  t.is((await get(`/v1/metrics/overview`, await stack.auth.apiKey(['metrics:read']))).status, 200);
  t.is((await get(`/v1/metrics/overview?from=yesterday`)).status, 400);
});

test.serial('the migration places events written before it: around a triage reroute, by the published documents', async (t) => {
  const latest = async (type: string) => Number(((await stack.db.execute(sql`select max(version) as v from sop_versions where type = ${type}`)) as unknown as Array<{ v: number }>)[0]!.v);
  const [triage, fee] = [await latest('triage'), version2];
  const id = `T-legacy-${Date.now()}`;
  // long ago and closed: outside the other tests' ranges and backlog
  const past = Date.parse('2020-01-01T00:00:00Z');
  await stack.db.execute(sql`insert into intake_requests (request_id, user_id, channel, language, text) values (${id}, 'U-legacy', 'app', 'zh', '你好')`);
  await stack.db.execute(sql`insert into tickets (id, request_id, workflow_id, category, subtype, skill_group, priority, status, channel, user_id, user_tier, language, original_text, issue_text, sop_type, sop_version, created_at)
    values (${id}, ${id}, ${'ticket-' + id}, 'fee', 'other', 'fee_group', 3, 'closed', 'app', 'U-legacy', 'normal', 'zh', '你好', '你好', 'fee_dispute', ${fee}, ${new Date(past).toISOString()})`);
  const events: Array<[number, string, string, object]> = [
    [0, 'intake', 'created', {}],
    [1, 'route', 'entered', {}],
    [2, 'route', 'decided', { decision: 'fee_dispute' }],
    [3, 'reroute_fee_dispute', 'rerouted', { from: { type: 'triage', version: triage }, to: { type: 'fee_dispute', version: fee } }],
    [4, 'fetch_order', 'entered', {}],
    [5, 'fetch_order', 'completed', {}],
    [6, 'check_order', 'decided', { branch: 0, next: 'analyze_dispute' }],
    [7, 'analyze_dispute', 'entered', {}],
  ];
  for (const [seq, step, kind, data] of events) {
    await stack.db.execute(sql`insert into ticket_events (ticket_id, seq, step, kind, actor, data, at) values (${id}, ${seq}, ${step}, ${kind}, 'system', ${JSON.stringify(data)}::jsonb, ${new Date(past + seq * 1_000).toISOString()})`);
  }
  const liveA = async () => stack.db.select().from(ticketEvents).where(sql`${ticketEvents.ticketId} = ${ids.a}`).orderBy(ticketEvents.seq);
  const before = await liveA();
  // the migration's own statements, as committed
  const file = fs.readFileSync(new URL('../schema/migrations/0008_analytics.sql', import.meta.url), 'utf8');
  const backfills = file.split('--> statement-breakpoint').filter((s) => /^\s*UPDATE "ticket_events"/m.test(s.replace(/^\s*--.*$/gm, '')));
  t.is(backfills.length, 2);
  for (const statement of backfills) await stack.db.execute(sql.raw(statement));
  await stack.db.execute(sql`select refresh_ticket_analytics(array[${id}]::text[])`);

  const placed = await stack.db.select().from(ticketEvents).where(sql`${ticketEvents.ticketId} = ${id}`).orderBy(ticketEvents.seq);
  t.deepEqual(placed.map((e) => `${e.sopType}@${e.sopVersion}:${e.stepKind}`), [
    `triage@${triage}:null`, `triage@${triage}:human_task`, `triage@${triage}:human_task`, `triage@${triage}:close`,
    `fee_dispute@${fee}:action`, `fee_dispute@${fee}:action`, `fee_dispute@${fee}:decision`, `fee_dispute@${fee}:action`,
  ]);
  t.deepEqual(await liveA(), before, 'on events the workflow wrote, the backfill agrees with the writer');
  const visits = (await stack.db.execute(sql`select step, sop_type, left_by, next_step, left_at is null as here from step_visits where ticket_id = ${id} order by seq`)) as unknown as Array<Record<string, unknown>>;
  t.deepEqual([...visits], [
    { step: 'route', sop_type: 'triage', left_by: 'decided', next_step: 'reroute_fee_dispute', here: false },
    { step: 'reroute_fee_dispute', sop_type: 'triage', left_by: 'rerouted', next_step: 'fetch_order', here: false },
    { step: 'fetch_order', sop_type: 'fee_dispute', left_by: 'completed', next_step: 'check_order', here: false },
    { step: 'check_order', sop_type: 'fee_dispute', left_by: 'decided', next_step: 'analyze_dispute', here: false },
    { step: 'analyze_dispute', sop_type: 'fee_dispute', left_by: null, next_step: null, here: true },
  ]);
});
