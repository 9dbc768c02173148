// Anomaly alerts on a replayed synthetic traffic (sandbox/traffic.ts) in the real PostgreSQL, in compressed
// time: a "day" of 96 one-minute windows (a real day's 15-minute windows), detection every 20 s of it.
// A normal day fires nothing; a release-induced surge of one region and app version alerts within one
// window through the real workflow, opens one tech ticket (which pages the tech team), alerts once while
// it lasts, and clears after it.
import { randomUUID } from 'node:crypto';
import test from 'ava';
import { eq, sql } from 'drizzle-orm';
import { createAnomalyActivities, anomalyTicketIdOf } from '../activities/anomaly';
import { createSopActivities } from '../activities/sops';
import { assess, DEFAULT_ANOMALY_PARAMS, negBinUpperTail, type AnomalyParams } from '../domain/anomaly';
import { defaultTrafficKeys, syntheticTraffic, type SyntheticTicket } from '../sandbox/traffic';
import { alerts, deliveryOutbox, intakeRequests, tickets } from '../schema';
import { ensureAnomalySchedule, anomalyScheduleId } from '../worker/schedules';
import { anomalyWorkflow } from '../workflows/anomaly';
import { ticketWorkflowId } from '../workflows/definitions';
import { decide, poll, recordHistory, waitForEvent, waitForLive, waitForSms, waitingForDecision } from './helpers/flows';
import { startTestStack, type TestStack } from './helpers/stack';
import { api, waitForStatus } from './helpers/tickets';

const WINDOW = 60_000;
const DAY = 96 * WINDOW;
const STEP = 20_000;
const params: AnomalyParams = { ...DEFAULT_ANOMALY_PARAMS, windowMs: WINDOW, seasonMs: DAY, seasonalDays: 1 };
/** day 0 is history, day 1 a normal day, day 2 the release day */
const START = Date.parse('2026-03-02T00:00:00Z');
const dayStart = (d: number) => START + d * DAY;
const SURGE = { category: 'app_technical', region: 'hangzhou', appVersion: '5.2.0', from: dayStart(2) + 56 * WINDOW, to: dayStart(2) + 60 * WINDOW, extraPerSlot: 2 };

let stack: TestStack;
let detection: ReturnType<typeof createAnomalyActivities>;
let supervisor: string;

async function insertTraffic(rows: SyntheticTicket[]) {
  for (let i = 0; i < rows.length; i += 2_000) {
    const batch = rows.slice(i, i + 2_000).map((r) => ({ ...r, id: randomUUID() }));
    await stack.db.insert(intakeRequests).values(batch.map((r) => ({ requestId: r.id, userId: 'U-synthetic', channel: 'app', language: 'zh', text: 'synthetic', createdAt: r.createdAt })));
    await stack.db.insert(tickets).values(
      batch.map((r) => ({
        id: r.id, requestId: r.id, workflowId: `synthetic-${r.id}`, category: r.category, subtype: 'synthetic', skillGroup: 'general_group', priority: 10, status: 'closed' as const,
        channel: 'app', userId: 'U-synthetic', userTier: 'standard', region: r.region, appVersion: r.appVersion, language: 'zh', originalText: 'synthetic', issueText: 'synthetic',
        sopType: r.category, sopVersion: 1, createdAt: r.createdAt, updatedAt: r.createdAt, closedAt: r.createdAt,
      })),
    );
  }
}

/** Runs the detection at every step of [from, to) with `run`; sums what the runs report. */
async function replay(from: number, to: number, run: (at: string) => Promise<{ tested: number; opened: unknown[] }>) {
  let tested = 0;
  let opened = 0;
  for (let at = from; at < to; at += STEP) {
    const report = await run(new Date(at).toISOString());
    tested += report.tested;
    opened += report.opened.length;
  }
  return { tested, opened };
}

const direct = (at: string) => detection.detectAnomalies({ at, params });
const viaWorkflow = (at: string) =>
  stack.client.workflow.execute(anomalyWorkflow, { taskQueue: stack.config.temporal.taskQueue, workflowId: `anomaly-test-${at}`, args: [{ params, at }] });

test.before(async () => {
  stack = await startTestStack();
  detection = createAnomalyActivities({ db: stack.db, client: stack.client, taskQueue: stack.config.temporal.taskQueue, resolveSopByType: createSopActivities(stack.db, {}).resolveSopByType });
  supervisor = await stack.auth.staff('anomaly-supervisor', 'supervisor');
  await insertTraffic(syntheticTraffic({ seed: 21, start: START, days: 3, dayMs: DAY, keys: defaultTrafficKeys(4), surge: SURGE }));
});
test.after.always(async () => {
  await stack?.close();
});

test('the tail probability is exact where a closed form exists', (t) => {
  // shape 1: the predictive is geometric, P(X >= k) = (1/(rate+1))^k
  t.true(Math.abs(negBinUpperTail(10, 1, 9) / 1e-10 - 1) < 1e-9);
  t.is(negBinUpperTail(0, 3, 2), 1);
  // a long history at 2 per window: near Poisson(2), P(X >= 5) = 0.0527
  const near = assess(5, { total: 20_000, windows: 10_000 });
  t.true(Math.abs(near.pValue - 0.0527) < 0.001, String(near.pValue));
  t.true(Math.abs(near.expected - 2) < 0.001);
});

test.serial('a normal day fires nothing, though busy keys are tested all day', async (t) => {
  const day = await replay(dayStart(1), dayStart(2), direct);
  t.is(day.opened, 0);
  t.true(day.tested > 100, `keys with at least ${params.minCount} tickets were tested ${day.tested} times`);
  t.deepEqual((await api(stack, 'GET', '/v1/alerts?state=all', { as: supervisor })).body, { items: [] });
});

test.serial('a release-induced surge alerts within one window, names region and version, opens one tech ticket, alerts once and clears', async (t) => {
  // the release day up to the surge: nothing
  t.is((await replay(dayStart(2), SURGE.from, direct)).opened, 0);
  // the first window of the surge, through the real workflow
  const firstWindow = await replay(SURGE.from + STEP, SURGE.from + WINDOW + STEP, viaWorkflow);
  t.is(firstWindow.opened, 1);
  const open = (await api(stack, 'GET', '/v1/alerts', { as: supervisor })).body.items;
  t.is(open.length, 1);
  const [alert] = open;
  t.like(alert, { category: 'app_technical', region: 'hangzhou', appVersion: '5.2.0', clearedAt: null, ticketId: anomalyTicketIdOf(alert.id) });
  t.true(Date.parse(alert.openedAt) > SURGE.from && Date.parse(alert.openedAt) <= SURGE.from + WINDOW, alert.openedAt);
  t.true(alert.observed >= params.minCount && alert.observed > 3 * alert.expected, JSON.stringify(alert));

  // the ticket ran its SOP: the tech team's on-call person is paged with it
  const ticketId = alert.ticketId as string;
  await waitForEvent(stack, ticketId, (e) => e.step === 'page_tech_team' && e.kind === 'completed');
  const page = await waitForSms(stack, (m) => m.to === stack.config.onCallPhones.tech_team && m.text.includes(ticketId));
  t.regex(page.text, /tech_team/);
  const { body } = await api(stack, 'GET', `/v1/tickets/${ticketId}`, { as: supervisor });
  t.like(body.ticket, { category: 'anomaly', sopType: 'anomaly_alert', channel: 'system', region: 'hangzhou', appVersion: '5.2.0', skillGroup: 'tech_team' });
  // the tech team finds the cause and closes it; nobody outside is told anything (no outbox row)
  await waitForLive(stack, ticketId, waitingForDecision('tech_team'));
  t.is((await decide(stack, ticketId, { agentId: 'T-tech', decision: 'fixed', note: 'payment page crash in 5.2.0, hotfix 5.2.1' })).status, 202);
  await waitForStatus(stack, ticketId, 'closed');
  t.like((await api(stack, 'GET', `/v1/tickets/${ticketId}`, { as: supervisor })).body.ticket.resolution, { code: 'fixed', cause: 'payment page crash in 5.2.0, hotfix 5.2.1', decidedBy: 'T-tech' });
  t.is((await stack.db.select().from(deliveryOutbox).where(eq(deliveryOutbox.ticketId, ticketId))).length, 0);
  await recordHistory(stack, 'anomaly-surge', `anomaly-test-${new Date(Date.parse(alert.openedAt)).toISOString()}`);
  await recordHistory(stack, 'sop-anomaly-alert', ticketWorkflowId(ticketId));

  // while it lasts: no second alert, no second ticket (one more run through the workflow, the rest direct)
  t.is((await viaWorkflow(new Date(SURGE.from + WINDOW + 2 * STEP).toISOString())).opened.length, 0);
  t.is((await replay(SURGE.from + WINDOW + 3 * STEP, SURGE.to, direct)).opened, 0);
  t.is((await api(stack, 'GET', '/v1/alerts', { as: supervisor })).body.items.length, 1);

  // after it: cleared once the window is back to normal, and nothing else for the rest of the day
  t.is((await replay(SURGE.to, dayStart(3), direct)).opened, 0);
  const all = (await api(stack, 'GET', '/v1/alerts?state=all', { as: supervisor })).body.items;
  t.is(all.length, 1);
  t.true(all[0].clearedAt !== null && Date.parse(all[0].clearedAt) > SURGE.to && Date.parse(all[0].clearedAt) <= SURGE.to + 2 * WINDOW, all[0].clearedAt);
  t.deepEqual((await api(stack, 'GET', '/v1/alerts', { as: supervisor })).body, { items: [] });
  const [{ n }] = await stack.db.select({ n: sql<number>`count(*)::int` }).from(tickets).where(eq(tickets.category, 'anomaly'));
  t.is(n, 1);
  const [row] = await stack.db.select().from(alerts).where(eq(alerts.id, alert.id));
  t.true(row!.peakObserved >= row!.observed);
});

test.serial('two detections of the same window at once open one alert (the partial unique index decides)', async (t) => {
  const at = new Date(SURGE.from + WINDOW).toISOString();
  await stack.db.delete(alerts);
  const reports = await Promise.all([direct(at), direct(at), direct(at)]);
  t.is(reports.reduce((sum, r) => sum + r.opened.length, 0), 1);
  t.is((await stack.db.select().from(alerts)).length, 1);
  await stack.db.delete(alerts);
});

test.serial('the worker creates the anomaly schedule with the configured interval and parameters; a triggered run completes', async (t) => {
  const taskQueue = stack.config.temporal.taskQueue;
  t.is(await ensureAnomalySchedule(stack.client, { taskQueue, every: '30 minutes', params }), 'created');
  t.is(await ensureAnomalySchedule(stack.client, { taskQueue, every: '10 minutes', params: { ...params, minCount: 12 } }), 'updated');
  const handle = stack.client.schedule.getHandle(anomalyScheduleId(taskQueue));
  try {
    const described = await handle.describe();
    t.deepEqual(described.spec.intervals?.map((i) => i.every), [10 * 60 * 1000]);
    t.like(described.action, { type: 'startWorkflow', workflowType: 'anomalyWorkflow', taskQueue });
    await handle.trigger();
    const run = await poll('a completed scheduled run', async () => {
      const recent = (await handle.describe()).info.recentActions.at(-1);
      if (!recent) return undefined;
      const wf = stack.client.workflow.getHandle(recent.action.workflow.workflowId, recent.action.workflow.firstExecutionRunId);
      return (await wf.describe()).status.name === 'COMPLETED' ? wf.result() : undefined;
    }, 20_000);
    // the run tested the real now: no synthetic traffic there
    t.like(run, { tested: 0, opened: [] });
  } finally {
    await handle.delete();
  }
});
