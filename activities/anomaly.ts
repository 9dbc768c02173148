// Anomaly alerts, the I/O part (statistics in domain/anomaly.ts): count tickets per (category, region,
// app version) in the window and its baselines, open, update and clear rows of `alerts`, and open the
// one technical ticket of a new alert under the anomaly_alert SOP (which pages the tech team).
// Both activities are idempotent: a retry finds the open alert or the ticket already there.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { and, eq, gte, isNull, lt, min, notInArray, or, sql } from 'drizzle-orm';
import { detect, keyOf, parseKey, windowsAt, windowsKnown, type AnomalyParams, type Assessment, type Counts, type Window } from '../domain/anomaly';
import { alerts, tickets, type AlertRow, type Database } from '../schema';
import { fileInternalTicket } from './internal-ticket';
import type { ResolvedSop } from './sops';

export const ANOMALY_SOP = 'anomaly_alert';
export const ANOMALY_CATEGORY = 'anomaly';
export const ANOMALY_GROUP = 'tech_team';
/** the system "user" of anomaly tickets: nobody is told anything, the tech team works them */
export const ANOMALY_USER = 'system:anomaly';
/** tickets the system opened itself are not counted: an alert's own ticket is no surge */
const INTERNAL_CATEGORIES = ['review', ANOMALY_CATEGORY];

export const anomalyTicketIdOf = (alertId: string) => `anomaly-${alertId}`;

export interface AlertSummary {
  id: string;
  category: string;
  region: string | null;
  appVersion: string | null;
  observed: number;
  expected: number;
  score: number;
}

export interface DetectionReport {
  at: string;
  /** keys with at least minCount tickets in the window (the only ones tested for a new alert) */
  tested: number;
  opened: AlertSummary[];
  /** open alerts still anomalous (or not yet back to normal) */
  ongoing: number;
  cleared: AlertSummary[];
  /** open alerts without their ticket: the workflow opens one for each (also after a retry) */
  needTicket: string[];
}

export interface AnomalyDeps {
  db: Database;
  client: Client;
  taskQueue: string;
  resolveSopByType: (input: { type: string }) => Promise<ResolvedSop>;
}

const summary = (row: Pick<AlertRow, 'id' | 'category' | 'region' | 'appVersion' | 'observed' | 'expected' | 'score'>): AlertSummary => ({
  id: row.id,
  category: row.category,
  region: row.region,
  appVersion: row.appVersion,
  observed: row.observed,
  expected: row.expected,
  score: row.score,
});

/** Tickets per key created in any of the ranges. */
async function countByKey(db: Database, ranges: Window[]): Promise<Counts> {
  if (!ranges.length) return new Map();
  const inRanges = or(...ranges.map((r) => and(gte(tickets.createdAt, new Date(r.start)), lt(tickets.createdAt, new Date(r.end)))));
  const rows = await db
    .select({ category: tickets.category, region: tickets.region, appVersion: tickets.appVersion, n: sql<number>`count(*)::int` })
    .from(tickets)
    .where(and(inRanges, notInArray(tickets.category, INTERNAL_CATEGORIES)))
    .groupBy(tickets.category, tickets.region, tickets.appVersion);
  return new Map(rows.map((r) => [keyOf(r), r.n]));
}

export function createAnomalyActivities(deps: AnomalyDeps) {
  const { db } = deps;

  /** The first ticket ever: windows before it are unknown history, not empty. */
  async function horizon(): Promise<number | null> {
    const [row] = await db.select({ first: min(tickets.createdAt) }).from(tickets).where(notInArray(tickets.category, INTERNAL_CATEGORIES));
    return row?.first ? new Date(row.first).getTime() : null;
  }

  return {
    /** One detection run for the window ending at `at`: opens, updates and clears alerts (decisions: domain/anomaly.ts detect). */
    async detectAnomalies({ at, params }: { at: string; params: AnomalyParams }): Promise<DetectionReport> {
      const now = Date.parse(at);
      const windows = windowsAt(now, params);
      const first = await horizon();
      const seasonalKnown = windows.seasonal.filter((w) => windowsKnown(w, params.windowMs, first) === 1);
      const rollingRange = windows.rolling(windows.current.start);
      const [current, rolling, seasonal, openRows] = await Promise.all([
        countByKey(db, [windows.current]),
        countByKey(db, [rollingRange]),
        countByKey(db, seasonalKnown),
        db.select().from(alerts).where(isNull(alerts.clearedAt)),
      ]);
      // an open alert's rolling baseline ends where it opened
      const open = await Promise.all(
        openRows.map(async (a) => {
          const range = windows.rolling(a.openedAt.getTime() - params.windowMs);
          return { id: a.id, key: a.key, rolling: { total: (await countByKey(db, [range])).get(a.key) ?? 0, windows: windowsKnown(range, params.windowMs, first) } };
        }),
      );
      const decided = detect({ current, rolling: { counts: rolling, windows: windowsKnown(rollingRange, params.windowMs, first) }, seasonal: { counts: seasonal, windows: seasonalKnown.length }, open }, params);

      const opened: AlertSummary[] = [];
      for (const { key, observed, assessment } of decided.toOpen) {
        const row = await openAlert(key, now, observed, assessment);
        if (row) opened.push(summary(row));
      }
      const cleared: AlertSummary[] = [];
      for (const { id, observed } of decided.toClear) {
        const [row] = await db.update(alerts).set({ clearedAt: new Date(now), lastObserved: observed, lastSeenAt: new Date(now) }).where(and(eq(alerts.id, id), isNull(alerts.clearedAt))).returning();
        if (row) cleared.push(summary(row));
      }
      for (const { id, observed } of decided.ongoing) {
        await db.update(alerts).set({ lastObserved: observed, lastSeenAt: new Date(now), peakObserved: sql`greatest(${alerts.peakObserved}, ${observed})` }).where(eq(alerts.id, id));
      }
      const needTicket = await db.select({ id: alerts.id }).from(alerts).where(and(isNull(alerts.clearedAt), isNull(alerts.ticketId)));
      return { at, tested: decided.tested, opened, ongoing: decided.ongoing.length, cleared, needTicket: needTicket.map((r) => r.id) };
    },

    /** The alert's technical ticket (one per alert: its id is derived from the alert's), started under the anomaly_alert SOP. */
    async openAnomalyTicket({ alertId }: { alertId: string }): Promise<{ ticketId: string; workflowId: string }> {
      const [alert] = await db.select().from(alerts).where(eq(alerts.id, alertId));
      if (!alert) throw ApplicationFailure.nonRetryable(`no alert ${alertId}`, 'not_found');
      const sop = await deps.resolveSopByType({ type: ANOMALY_SOP });
      const id = anomalyTicketIdOf(alert.id);
      const subtype = 'ticket_surge';
      const where = `${alert.category} tickets, region ${alert.region ?? 'unknown'}, app version ${alert.appVersion ?? 'unknown'}`;
      const issueText = `Surge of ${where}: ${alert.observed} in the window ending ${alert.openedAt.toISOString()} against ${alert.expected.toFixed(1)} expected (score ${alert.score.toFixed(1)}). Alert ${alert.id}.`;
      const facts = { alertId: alert.id, category: alert.category, observed: alert.observed, expected: alert.expected, score: alert.score };
      const { workflowId } = await fileInternalTicket(deps, {
        facts: {
          id, requestId: id, category: ANOMALY_CATEGORY, subtype, skillGroup: ANOMALY_GROUP, priority: 80, userId: ANOMALY_USER, userTier: 'standard', orderId: null,
          region: alert.region, channel: 'system', language: 'en', issueText, appVersion: alert.appVersion, claim: { namedItems: [], amountsFen: [] }, anomaly: facts,
        },
        sop,
        requestText: issueText,
        originalText: issueText,
        created: { actor: `anomaly:${alert.id}`, data: facts },
        summary: `anomaly/${subtype} · SOP ${sop.document.type} v${sop.document.version} · ${where}`,
      });
      await db.update(alerts).set({ ticketId: id }).where(eq(alerts.id, alert.id));
      return { ticketId: id, workflowId };
    },
  };

  /** Inserts the alert unless its key already has an open one (the partial unique index decides, also between racing runs). */
  async function openAlert(key: string, at: number, observed: number, verdict: Assessment): Promise<AlertRow | undefined> {
    const id = createHash('sha1').update(`${key}@${at}`).digest('hex').slice(0, 16);
    const { category, region, appVersion } = parseKey(key);
    const [row] = await db
      .insert(alerts)
      .values({ id, key, category, region, appVersion, openedAt: new Date(at), observed, expected: verdict.expected, score: verdict.score, lastObserved: observed, peakObserved: observed, lastSeenAt: new Date(at) })
      .onConflictDoNothing()
      .returning();
    return row;
  }
}

export type AnomalyActivities = ReturnType<typeof createAnomalyActivities>;
