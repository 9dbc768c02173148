// Latency of what must stay fast (GET /healthz, a user's confirmation) while a flood of intakes
// hits the API, wired as `npm start` wires it: dev server with its SQLite file and WAL pragmas,
// real PostgreSQL, sandbox systems, ticket + classify workers and the API in this process.
//   npx tsx bench/flood.bench.ts [--seconds 30] [--flood 48] [--confirmations 30] [--max-in-flight 32]
// --flood 0 measures the same probes on a quiet system. Needs PostgreSQL
// (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ticketflow_bench).
import { parseArgs } from 'node:util';
import { startBenchStack } from './stack';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    flood: { type: 'string', default: '48' },
    confirmations: { type: 'string', default: '30' },
    'max-in-flight': { type: 'string', default: '32' },
  },
});
const seconds = Number(values.seconds);
const floodClients = Number(values.flood);
const confirmations = Number(values.confirmations);

const { stack, base, close } = await startBenchStack({ policy: { reopenWindow: 0, confirmationTimeout: 3_600_000 }, intakeMaxInFlight: Number(values['max-in-flight']) });

/** Calls as the stack's service key; `onBehalfOf` acts for a ticket's user (confirmations). */
async function timed(url: string, init: RequestInit = {}, onBehalfOf?: string): Promise<{ ms: number; status: number; body: any }> {
  const headers = { ...(init.headers as Record<string, string>), authorization: `Bearer ${stack.auth.service}`, ...(onBehalfOf ? { 'x-on-behalf-of': onBehalfOf } : {}) };
  const t0 = performance.now();
  const response = await fetch(url, { ...init, headers });
  const body = await response.json().catch(() => null);
  return { ms: performance.now() - t0, status: response.status, body };
}
const post = (url: string, body: unknown, key?: string, onBehalfOf?: string) =>
  timed(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) }, body: JSON.stringify(body) }, onBehalfOf);

// tickets that wait for the user's answer, to be confirmed during the flood
const { orders: surcharged } = await stack.orders.listOrders({ scenario: 'wrongful_cross_city_surcharge', limit: confirmations });
const waiting: Array<{ id: string; userId: string }> = [];
for (const [i, order] of surcharged.entries()) {
  const created = await post(`${base}/v1/tickets`, { text: '同城订单为什么收了跨城费?', userId: order.userId, orderId: order.id, channel: 'app' }, `flood-prep-${i}`);
  if (created.status === 201) waiting.push({ id: created.body.tickets[0].id, userId: order.userId });
}
for (const { id } of waiting) {
  for (let tries = 0; tries < 300; tries++) {
    const { body } = await timed(`${base}/v1/tickets/${id}`);
    if (body?.ticket?.status === 'awaiting_confirmation') break;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const { orders } = await stack.orders.listOrders({ limit: 200 });
const texts = ['等候费多收了,我只等了一会儿', '司机未按约定时间到达且态度恶劣', 'I was charged a cross-city surcharge for a trip inside the city', '过路费收了两次', 'APP一直闪退'];
const intake = { created: 0, processing: 0, shed: 0, other: 0, latencies: [] as number[] };
const health: number[] = [];
const healthFailures: number[] = [];
const confirmed: number[] = [];
const confirmFailures: string[] = [];
const until = performance.now() + seconds * 1000;
let n = 0;

async function floodClient() {
  while (performance.now() < until) {
    const i = n++;
    const order = orders[i % orders.length]!;
    const r = await post(`${base}/v1/tickets`, { text: texts[i % texts.length], userId: order.userId, orderId: order.id, channel: 'app' }, `flood-${Date.now()}-${i}`);
    if (r.status === 201) (intake.created++, intake.latencies.push(r.ms));
    else if (r.status === 202) intake.processing++;
    else if (r.status === 503 && r.body?.error === 'overloaded') {
      intake.shed++;
      await new Promise((res) => setTimeout(res, 1_000)); // honour Retry-After: 1
    } else intake.other++;
  }
}
async function healthProbe() {
  while (performance.now() < until) {
    const r = await timed(`${base}/healthz`);
    (r.status === 200 ? health : healthFailures).push(r.ms);
    await new Promise((res) => setTimeout(res, 200));
  }
}
async function confirmProbe() {
  const every = (seconds * 1000) / Math.max(1, waiting.length);
  for (const { id, userId } of waiting) {
    if (performance.now() >= until) break;
    const r = await post(`${base}/v1/tickets/${id}/confirmation`, { accepted: true }, undefined, userId);
    if (r.status === 202) confirmed.push(r.ms);
    else confirmFailures.push(`${r.status} ${r.body?.error ?? ''}`);
    await new Promise((res) => setTimeout(res, every));
  }
}

process.stderr.write(`flood: ${floodClients} intake clients for ${seconds} s, ${waiting.length} tickets to confirm, max ${values['max-in-flight']} intakes in flight\n`);
const started = performance.now();
await Promise.all([...Array.from({ length: floodClients }, floodClient), healthProbe(), confirmProbe()]);
const elapsed = (performance.now() - started) / 1000;

function pct(list: number[], p: number): string {
  if (!list.length) return '–';
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(0);
}
console.log(`flood ${floodClients} clients, ${elapsed.toFixed(0)} s, max in flight ${values['max-in-flight']}`);
console.log(`intake: ${intake.created} created (${(intake.created / elapsed).toFixed(1)}/s, p50 ${pct(intake.latencies, 50)} ms, p99 ${pct(intake.latencies, 99)} ms), ${intake.processing} answered 202, ${intake.shed} shed (503), ${intake.other} other`);
console.log(`/healthz: ${health.length} ok, p50 ${pct(health, 50)} ms, p99 ${pct(health, 99)} ms, max ${pct(health, 100)} ms; ${healthFailures.length} not ok`);
console.log(`confirmation: ${confirmed.length} taken, p50 ${pct(confirmed, 50)} ms, p99 ${pct(confirmed, 99)} ms, max ${pct(confirmed, 100)} ms; failed: ${confirmFailures.join(', ') || 'none'}`);
await close();
