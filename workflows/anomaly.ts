// Run by the anomaly Schedule (worker/schedules.ts) every few minutes: tests the latest window's ticket
// counts per (category, region, app version) against their baselines (activities/anomaly.ts), then opens
// one technical ticket per new alert. A retry or a crash between the two steps loses nothing: the
// detection reports every open alert still without its ticket, and opening a ticket is idempotent.
import { log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AnomalyParams } from '../domain/anomaly';
import type { DetectionReport } from '../activities/anomaly';

const { detectAnomalies, openAnomalyTicket } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
});

export interface AnomalyInput {
  params: AnomalyParams;
  /** end of the tested window (ISO); default: the run's start (a replay of history passes its own clock) */
  at?: string;
}

export interface AnomalyReport extends DetectionReport {
  /** alert id → its technical ticket, for the tickets opened by this run */
  tickets: Record<string, string>;
}

export async function anomalyWorkflow(input: AnomalyInput): Promise<AnomalyReport> {
  const at = input.at ?? new Date().toISOString();
  const report = await detectAnomalies({ at, params: input.params });
  const tickets: Record<string, string> = {};
  for (const alertId of report.needTicket) tickets[alertId] = (await openAnomalyTicket({ alertId })).ticketId;
  const named = (a: DetectionReport['opened'][number]) => `${a.category} in ${a.region ?? '?'} on app ${a.appVersion ?? '?'} (${a.observed} vs ${a.expected.toFixed(1)} expected)`;
  log.info(
    `anomaly detection at ${at}: ${report.tested} keys tested, ${report.opened.length} opened${report.opened.length ? ` (${report.opened.map(named).join('; ')})` : ''}, ` +
      `${report.ongoing} ongoing, ${report.cleared.length} cleared`,
  );
  return { ...report, tickets };
}
