// Reports over the read model (issue 21): overview, volume over time, the funnel per SOP step and
// version, and the per-ticket export. Each answers JSON, or CSV with ?format=csv / Accept: text/csv.
// Time range: from/to (ISO-8601, default the last 7 days); filters: type, group, region, channel, appVersion, category.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import {
  DIMENSIONS,
  INTERVALS,
  defaultInterval,
  funnel,
  overview,
  ticketRows,
  timeseries,
  type Dimension,
  type Interval,
  type MetricsFilter,
} from '../../schema/metrics-repository';
import type { ApiContext } from '../context';
import { sendCsv, wantsCsv } from '../csv';
import { HttpError } from '../errors';

const errorBody = { $ref: 'Error#' };
const DEFAULT_RANGE_MS = 7 * 86_400_000;
const text = { type: 'string', minLength: 1, maxLength: 100 };

const filterProperties = {
  from: { type: 'string', maxLength: 40, description: 'ISO-8601; default: 7 days before `to`' },
  to: { type: 'string', maxLength: 40, description: 'ISO-8601, exclusive; default: now' },
  type: { ...text, description: 'SOP type (the ticket type)' },
  group: { ...text, description: 'skill group (queue)' },
  region: text,
  channel: text,
  appVersion: text,
  category: text,
  format: { type: 'string', enum: ['json', 'csv'] },
} as const;

type FilterQuery = { [K in keyof typeof filterProperties]?: string };

function dateOf(field: string, value: string | undefined, fallback: Date): Date {
  if (value === undefined) return fallback;
  const d = new Date(value);
  // PostgreSQL's timestamps end at year 294276, JavaScript's dates run further: keep to four-digit years
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1 || d.getUTCFullYear() > 9999) throw new HttpError(400, 'validation_failed', `${field} must be an ISO-8601 date`, [{ field, reason: 'must be an ISO-8601 date or time' }]);
  return d;
}

function filterOf(q: FilterQuery): MetricsFilter {
  const to = dateOf('to', q.to, new Date());
  const from = dateOf('from', q.from, new Date(to.getTime() - DEFAULT_RANGE_MS));
  if (from >= to) throw new HttpError(400, 'validation_failed', 'from must be before to', [{ field: 'from', reason: 'must be before to' }]);
  const f: MetricsFilter = { from, to };
  for (const key of Object.keys(DIMENSIONS) as Dimension[]) if (q[key] !== undefined) f[key] = q[key];
  return f;
}

const querystring = (extra: Record<string, unknown> = {}, required: string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  properties: { ...filterProperties, ...extra },
  ...(required.length ? { required } : {}),
});
const schemaOf = (summary: string, qs: object) => ({ summary, tags: ['metrics'], querystring: qs, response: { 400: errorBody, 401: errorBody, 403: errorBody } });

export const metricsRoutes: FastifyPluginAsync<ApiContext> = async (app, { db }) => {
  app.get<{ Querystring: FilterQuery }>(
    '/v1/metrics/overview',
    { schema: schemaOf('Headline numbers (volume, first response and handling time in minutes, SLA attainment, escalation, reopen, satisfaction), the same per type and group, and the backlog per queue', querystring()) },
    async (request, reply) => {
      const result = await overview(db, filterOf(request.query));
      if (!wantsCsv(request)) return result;
      const rows = [{ type: '*', group: '*', ...result.totals }, ...result.byTypeAndGroup].map((m) => [
        'measures', m.type, m.group, null, m.volume, m.closed, m.firstResponseMinutes.median, m.firstResponseMinutes.p90, m.handlingMinutes.median, m.handlingMinutes.p90,
        m.slaAttainment, m.escalationRate, m.reopenRate, m.satisfaction.ratings, m.satisfaction.average, m.satisfaction.lowShare,
      ]);
      const backlog = result.backlog.map((b) => ['backlog', '*', b.group, b.status, b.tickets]);
      return sendCsv(reply, 'overview.csv', OVERVIEW_COLUMNS, [...rows, ...backlog]);
    },
  );

  app.get<{ Querystring: FilterQuery & { by?: Dimension; interval?: Interval } }>(
    '/v1/metrics/timeseries',
    {
      schema: schemaOf(
        'Ticket volume over time (created), per bucket and value of one dimension',
        querystring({ by: { type: 'string', enum: Object.keys(DIMENSIONS) }, interval: { type: 'string', enum: INTERVALS, description: 'default: hour up to 3 days, day up to 90, week beyond' } }),
      ),
    },
    async (request, reply) => {
      const f = filterOf(request.query);
      const interval = request.query.interval ?? defaultInterval(f);
      const by = request.query.by ?? null;
      const points = await timeseries(db, f, by, interval);
      if (wantsCsv(request)) return sendCsv(reply, 'timeseries.csv', ['bucket', by ?? 'total', 'tickets'], points.map((p) => [p.t, p.key ?? '*', p.tickets]));
      return { from: f.from.toISOString(), to: f.to.toISOString(), interval, by, points };
    },
  );

  app.get<{ Querystring: FilterQuery & { sop: string; version?: string; versions?: string } }>(
    '/v1/metrics/funnel',
    {
      schema: schemaOf(
        "An SOP's steps per version: visits entered, how they left (event, decision, next step), breaches, escalations, median and p90 minutes in step, the slowest step marked. Several versions side by side for comparison",
        querystring(
          {
            sop: { ...text, description: 'SOP type' },
            version: { type: 'string', pattern: '^[1-9][0-9]{0,5}$' },
            versions: { type: 'string', pattern: '^[1-9][0-9]{0,5}(,[1-9][0-9]{0,5}){0,9}$', description: 'comma-separated, e.g. 3,4: compared side by side' },
          },
          ['sop'],
        ),
      ),
    },
    async (request, reply) => {
      const f = filterOf(request.query);
      const { sop } = request.query;
      const asked = [request.query.version, ...(request.query.versions?.split(',') ?? [])].filter((v): v is string => v !== undefined).map(Number);
      const versions = [...new Set(asked)].sort((a, b) => a - b); // none: every version with visits in the range
      const result = await funnel(db, sop, versions, f);
      if (!wantsCsv(request)) return { sop, from: f.from.toISOString(), to: f.to.toISOString(), versions: result };
      const rows = result.flatMap((v) =>
        v.steps.flatMap((s) => {
          const base = [v.version, s.step, s.kind, s.entered, s.tickets, s.inStep, s.breaches, s.escalations, s.medianMinutes, s.p90Minutes, s.bottleneck];
          return s.transitions.length ? s.transitions.map((t) => [...base, t.by, t.decision, t.to, t.visits]) : [[...base, null, null, null, null]];
        }),
      );
      return sendCsv(reply, `funnel-${sop}.csv`, FUNNEL_COLUMNS, rows);
    },
  );

  app.get<{ Querystring: FilterQuery }>(
    '/v1/metrics/tickets',
    { schema: schemaOf('Every ticket in the range with its measures (the raw rows behind the reports); as CSV without a row cap, streamed page by page', querystring()) },
    async (request: FastifyRequest<{ Querystring: FilterQuery }>, reply) => {
      const f = filterOf(request.query);
      const rows = ticketRows(db, f);
      if (wantsCsv(request)) {
        return sendCsv(reply, 'tickets.csv', TICKET_COLUMNS, (async function* () {
          for await (const r of rows) yield [r.ticketId, r.createdAt, r.type, r.version, r.category, r.group, r.channel, r.region, r.appVersion, r.status, r.firstResponseMinutes, r.handlingMinutes, r.breaches, r.escalated, r.reopens, r.rating];
        })());
      }
      // JSON holds the answer in memory: bounded, the CSV is the unbounded form
      const items = [];
      for await (const r of rows) {
        if (items.length === JSON_TICKET_LIMIT) return { items, truncated: true, csv: 'add format=csv for every row' };
        items.push(r);
      }
      return { items, truncated: false };
    },
  );
};

const JSON_TICKET_LIMIT = 10_000;
const OVERVIEW_COLUMNS = ['section', 'type', 'group', 'status', 'tickets', 'closed', 'first_response_median_min', 'first_response_p90_min', 'handling_median_min', 'handling_p90_min', 'sla_attainment', 'escalation_rate', 'reopen_rate', 'ratings', 'rating_avg', 'low_rating_share'];
const FUNNEL_COLUMNS = ['version', 'step', 'kind', 'entered', 'tickets', 'in_step', 'breaches', 'escalations', 'median_min', 'p90_min', 'bottleneck', 'left_by', 'decision', 'next_step', 'visits'];
const TICKET_COLUMNS = ['ticket_id', 'created_at', 'type', 'version', 'category', 'group', 'channel', 'region', 'app_version', 'status', 'first_response_min', 'handling_min', 'breaches', 'escalated', 'reopens', 'rating'];
