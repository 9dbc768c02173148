// Operations: /metrics in the Prometheus format (latency by route template, read-model gauges), the worker's
// SDK metrics on their own port, and readiness that turns 503 as soon as shutdown begins while the API
// still serves the requests that reach it.
import test from 'ava';
import { eq, sql } from 'drizzle-orm';
import { freePort } from '../scripts/dev-server';
import { tickets } from '../schema';
import { installRuntimeLogging } from '../worker';
import { startTestStack, type TestStack } from './helpers/stack';
import { postTicket } from './helpers/tickets';
import { poll } from './helpers/flows';
import { ticketStateQuery, ticketWorkflowId } from '../workflows/definitions';
import { authHeaders } from './helpers/credentials';

let stack: TestStack;
let workerMetrics: string;
let metricsKey: string;

test.before(async () => {
  // first in this process: the runtime (and its metrics exporter) is installed once
  workerMetrics = `127.0.0.1:${await freePort()}`;
  installRuntimeLogging('ERROR', { metricsAddress: workerMetrics });
  // long waits: the ticket stays where it is while the test compares the scrape with the read model
  stack = await startTestStack({ policy: { confirmationTimeout: 600_000 } });
  metricsKey = await stack.auth.apiKey(['metrics:read']);
});
test.after.always(async () => {
  await stack?.close();
});

const scrape = async (as: string | null = metricsKey) => stack.app.inject({ method: 'GET', url: '/metrics', headers: authHeaders(as) });
/** the value of one series, e.g. series(text, 'ticketflow_tickets{status="open"}') */
function series(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

test.serial('/metrics: request latency by route template (never the raw URL) and tickets by status from the read model', async (t) => {
  const created = await postTicket(stack, { text: '司机绕路了,多收了我二十块钱', userId: 'U-metrics' });
  t.is(created.status, 201);
  const ids = (created.body.tickets as Array<{ id: string }>).map((ticket) => ticket.id);
  const id = ids[0]!;
  // every ticket of the message settled (waiting for someone, the read model caught up): the message opens two
  // (the detour and the overcharge), and the count by status below must not move while it is compared
  for (const each of ids) {
    await poll(`ticket ${each} waiting, its row up to date`, async () => {
      const live = await stack.client.workflow.getHandle(ticketWorkflowId(each)).query(ticketStateQuery);
      const [row] = await stack.db.select({ status: tickets.status }).from(tickets).where(eq(tickets.id, each));
      return live.waitingFor && row?.status === live.status ? true : undefined;
    }, 20_000);
  }
  const reads = 'ticketflow_http_request_duration_seconds_count{method="GET",route="/v1/tickets/:id",status_code="200"}';
  for (let i = 0; i < 3; i++) t.is((await stack.app.inject({ method: 'GET', url: `/v1/tickets/${id}`, headers: authHeaders(stack.auth.service) })).statusCode, 200);
  await stack.app.inject({ method: 'GET', url: '/no/such/route' });

  const response = await scrape();
  t.is(response.statusCode, 200);
  t.regex(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  const text = response.body;
  t.is(series(text, reads), 3);
  t.is(series(text, 'ticketflow_http_request_duration_seconds_count{method="POST",route="/v1/tickets",status_code="201"}'), 1);
  t.false(text.includes(id), 'no ticket id in any label');
  t.false(text.includes('/no/such/route'), 'unmatched URLs are not labels');
  t.true((series(text, 'ticketflow_http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"}') ?? 0) >= 1);

  const byStatus = await stack.db.select({ status: tickets.status, n: sql<number>`count(*)::int` }).from(tickets).groupBy(tickets.status);
  t.true(byStatus.length > 0);
  for (const { status, n } of byStatus) t.is(series(text, `ticketflow_tickets{status="${status}"}`), n, status);
  t.is(series(text, 'ticketflow_alerts_open'), 0);
  t.regex(text, /^# TYPE ticketflow_queue_depth gauge$/m);
  t.regex(text, /^# TYPE ticketflow_sla_breaches gauge$/m);
  t.regex(text, /^ticketflow_api_process_resident_memory_bytes \d+/m);
});

test.serial('/metrics needs the metrics:read scope (or an admin)', async (t) => {
  t.is((await scrape(null)).statusCode, 401);
  t.is((await scrape(await stack.auth.apiKey(['tickets:read']))).statusCode, 403);
  t.is((await scrape(stack.auth.admin)).statusCode, 200);
});

test.serial("the worker serves the Temporal SDK's metrics: task slots and workflow outcomes", async (t) => {
  const response = await fetch(`http://${workerMetrics}/metrics`);
  t.is(response.status, 200);
  const text = await response.text();
  t.regex(text, /^temporal_worker_task_slots_available\{.*worker_type="WorkflowWorker".*\} \d+/m);
  t.regex(text, /^temporal_worker_task_slots_available\{.*worker_type="ActivityWorker".*\} \d+/m);
  // the ticket of the first test ran workflow tasks on this worker
  t.regex(text, /^temporal_workflow_task_execution_latency_(seconds_)?count\{.*\} [1-9]\d*/m);
});

test.serial('readiness turns 503 when shutdown begins, while liveness and requests are still served', async (t) => {
  const ready = await stack.app.inject({ method: 'GET', url: '/readyz' });
  t.is(ready.statusCode, 200);
  t.deepEqual(ready.json(), { status: 'ready' });
  stack.app.lifecycle.beginShutdown();
  const draining = await stack.app.inject({ method: 'GET', url: '/readyz' });
  t.is(draining.statusCode, 503);
  t.deepEqual(draining.json(), { status: 'shutting_down' });
  t.is(draining.headers.connection, 'close');
  // what still reaches this instance while the load balancer turns away is served
  t.is((await stack.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  t.is((await scrape()).statusCode, 200);
});
