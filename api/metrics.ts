// GET /metrics in the Prometheus text format (prom-client). One registry per app, so several apps in one
// process (tests) do not share series. Request latency is observed by an onResponse hook, labelled with the
// route's template (/v1/tickets/:id), never the raw URL, so ticket ids do not explode the label set.
// Read-model figures (tickets by status, queue depths, SLA breaches, open alerts) are gauges collected on
// scrape from PostgreSQL, cached briefly so a burst of scrapes costs one set of queries.
// Worker-side figures (workflow and activity failures, task slots) are the Temporal SDK's own metrics,
// exported by the worker process on WORKER_METRICS_ADDRESS (worker/index.ts installRuntime).
import type { FastifyInstance } from 'fastify';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { alerts, queueItems, ticketEvents, tickets, type Database } from '../schema';

/** scrapes within this long of the last read the read model once */
export const READ_MODEL_CACHE_MS = 5_000;

interface ReadModelFigures {
  byStatus: Array<{ status: string; n: number }>;
  queues: Array<{ group: string; n: number }>;
  breaches: Array<{ group: string; n: number }>;
  openAlerts: number;
}

async function readFigures(db: Database): Promise<ReadModelFigures> {
  const [byStatus, queues, breaches, [open]] = await Promise.all([
    db.select({ status: tickets.status, n: sql<number>`count(*)::int` }).from(tickets).groupBy(tickets.status),
    db.select({ group: queueItems.group, n: sql<number>`count(*)::int` }).from(queueItems).where(eq(queueItems.state, 'queued')).groupBy(queueItems.group),
    db
      .select({ group: sql<string>`coalesce(${ticketEvents.data}->>'group', 'none')`, n: sql<number>`count(*)::int` })
      .from(ticketEvents)
      .where(and(eq(ticketEvents.kind, 'sla_breached')))
      .groupBy(sql`1`),
    db.select({ n: sql<number>`count(*)::int` }).from(alerts).where(isNull(alerts.clearedAt)),
  ]);
  return { byStatus, queues, breaches, openAlerts: open?.n ?? 0 };
}

export function installMetrics(app: FastifyInstance, db: Database): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ticketflow_api_' });

  const latency = new Histogram({
    name: 'ticketflow_http_request_duration_seconds',
    help: 'API request latency by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    // unmatched URLs (404s) share one label: a scanner cannot grow the series
    const route = request.routeOptions.url ?? 'unmatched';
    latency.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  let cached: { at: number; figures: Promise<ReadModelFigures> } | null = null;
  const figures = () => {
    if (!cached || Date.now() - cached.at > READ_MODEL_CACHE_MS) {
      const read = readFigures(db);
      cached = { at: Date.now(), figures: read };
      read.catch(() => (cached = null)); // a failed read is not cached
    }
    return cached.figures;
  };
  const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge, f: ReadModelFigures) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const f = await figures();
        this.reset();
        fill(this, f);
      },
    });
  gauge('ticketflow_tickets', 'Tickets in the read model by status', ['status'], (g, f) => f.byStatus.forEach((r) => g.set({ status: r.status }, r.n)));
  gauge('ticketflow_queue_depth', 'Human steps waiting in each group queue (queued, held or not)', ['group'], (g, f) => f.queues.forEach((r) => g.set({ group: r.group }, r.n)));
  gauge('ticketflow_sla_breaches', 'SLA breaches recorded so far by group (only grows: use increase())', ['group'], (g, f) => f.breaches.forEach((r) => g.set({ group: r.group }, r.n)));
  gauge('ticketflow_alerts_open', 'Anomaly alerts not yet cleared', [], (g, f) => g.set(f.openAlerts));

  return registry;
}
