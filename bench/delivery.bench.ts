// Notices through the delivery outbox: drain throughput with the three channels (in-app rows, the
// sandbox SMS gateway over HTTP, a real Mailpit over SMTP), and the delivery lag of "received" notices
// while intakes pour in through the API, and (3) the lag of every notice while a steady stream of queued notices
// drains and intakes arrive at the same time.
//   npx tsx bench/delivery.bench.ts [--notices 300] [--intakes 60] [--concurrency 4] [--steady-rate 10] [--poll-ms 500] [--smtp-pool] [--only lag-mixed]
// Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ticketflow_bench) and Mailpit (built like the Temporal CLI).
import os from 'node:os';
import { parseArgs } from 'node:util';
import { and, eq, inArray, isNotNull, like, type SQL } from 'drizzle-orm';
import { generatePayloadKeys } from '../config/payload-codec';
import { freePort, readDevServerConfig, startDevServer } from '../scripts/dev-server';
import { startMailpit } from '../scripts/mailpit';
import { freshTestDatabase } from '../scripts/postgres';
import { deliveryOutbox, intakeRequests, openDatabase, prepareDatabase, tickets } from '../schema';

const { values } = parseArgs({
  options: {
    notices: { type: 'string', default: '300' },
    intakes: { type: 'string', default: '60' },
    concurrency: { type: 'string', default: '4' },
    /** part 3: notices per second queued straight into the outbox (3 deliveries each) while the intakes run */
    'steady-rate': { type: 'string', default: '10' },
    /** part 3: the drain's idle poll (production default 500 ms) */
    'poll-ms': { type: 'string', default: '500' },
    /** nodemailer's pooled transport (SMTP_URL …?pool=true): connections reused instead of one per e-mail */
    'smtp-pool': { type: 'boolean', default: false },
    /** run one part only: drain | lag-intake | lag-mixed */
    only: { type: 'string' },
  },
});
const runs = (part: string) => !values.only || values.only === part;
const noticeCount = Number(values.notices);
const intakeCount = Number(values.intakes);
const concurrency = Number(values.concurrency);

const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ticketflow_bench';
await freshTestDatabase(databaseUrl);
const prepared = await openDatabase({ databaseUrl, dataDir: os.tmpdir() });
await prepareDatabase(prepared);
await prepared.close();
const server = await startDevServer({ ...readDevServerConfig(), port: await freePort(), headless: true, database: null });
const mailpit = await startMailpit();
Object.assign(process.env, { DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: server.address, SMTP_URL: values['smtp-pool'] ? `${mailpit.smtpUrl}?pool=true` : mailpit.smtpUrl });
if (!process.env.PAYLOAD_KEYS) Object.assign(process.env, generatePayloadKeys('bench'));
const { startTestStack } = await import('../test/helpers/stack');
type Stack = Awaited<ReturnType<typeof startTestStack>>;

/** Ticket rows (no workflows) for sandbox users, for notices queued straight into the outbox. */
async function benchTickets(stack: Stack, prefix: string, count: number): Promise<string[]> {
  const users = (await (await fetch(`${stack.sandbox.userApiUrl}/users`)).json()) as Array<{ id: string }>;
  const now = new Date();
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `${prefix}-${i}`;
    const userId = users[i % users.length]!.id;
    await stack.db.insert(intakeRequests).values({ requestId: id, userId, channel: 'app', language: 'zh', text: 'x', createdAt: now });
    await stack.db.insert(tickets).values({ id, requestId: id, workflowId: `ticket-${id}`, category: 'fee_dispute', subtype: 'waiting_fee', skillGroup: 'fee_group', priority: 3, status: 'open', channel: 'app', userId, userTier: 'standard', language: 'zh', originalText: 'x', issueText: 'x', sopType: 'fee_dispute', sopVersion: 1, createdAt: now, updatedAt: now });
    ids.push(id);
  }
  return ids;
}
const noticeRows = (ticketId: string, seq: number) => (['in_app', 'sms', 'email'] as const).map((channel) => ({ dedupeKey: `${ticketId}:${seq}:received:${channel}`, ticketId, eventSeq: seq, notice: 'received', channel }));

/** Posts `count` intakes through the API, `concurrency` at a time; returns the tickets and the seconds it took. */
async function postIntakes(stack: Stack, count: number, concurrency: number, tag: string) {
  const { orders } = await stack.orders.listOrders({ limit: 200 });
  const texts = ['等候费多收了,我只等了一会儿', '司机未按约定时间到达且态度恶劣', '过路费收了两次', 'APP一直闪退'];
  let next = 0;
  const ids: string[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const order = orders[i % orders.length]!;
        const res = await stack.app.inject({ method: 'POST', url: '/v1/tickets', headers: { authorization: `Bearer ${stack.auth.service}`, 'idempotency-key': `bench-${tag}-${i}` }, payload: { text: texts[i % texts.length], userId: order.userId, orderId: order.id, channel: 'app' } });
        for (const t of (res.json() as { tickets?: Array<{ id: string }> }).tickets ?? []) ids.push(t.id);
      }
    }),
  );
  return { ids, seconds: (performance.now() - started) / 1000 };
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

// --- 1. drain throughput: notices queued at once, drained with the three channels ---
if (runs('drain')) {
  const stack = await startTestStack({ worker: false, delivery: { pollMs: 20 } });
  await stack.drain!.stop(); // queue first, then drain on our clock
  const ids = await benchTickets(stack, 'BENCH', noticeCount);
  const rows = ids.flatMap((id) => noticeRows(id, 0));
  await stack.db.insert(deliveryOutbox).values(rows);
  const started = performance.now();
  stack.drain!.start();
  for (;;) {
    const left = await stack.db.select({ id: deliveryOutbox.id }).from(deliveryOutbox).where(eq(deliveryOutbox.status, 'pending')).limit(1);
    if (!left.length) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  const sent = await stack.db.select({ id: deliveryOutbox.id }).from(deliveryOutbox).where(eq(deliveryOutbox.status, 'sent'));
  console.log(`drain: ${rows.length} deliveries (${noticeCount} notices × 3 channels) in ${seconds.toFixed(2)} s → ${(rows.length / seconds).toFixed(0)} deliveries/s, ${(noticeCount / seconds).toFixed(0)} notices/s; sent ${sent.length}`);
  await stack.close();
}

// --- 2. delivery lag of "received" notices under intake load ---
if (runs('lag-intake')) {
  const stack = await startTestStack({ policy: { reopenWindow: 0 }, delivery: true });
  const { ids, seconds: intakeSeconds } = await postIntakes(stack, intakeCount, concurrency, 'lag');
  const deadline = Date.now() + 120_000;
  let delivered: Array<{ createdAt: Date; deliveredAt: Date | null }> = [];
  while (Date.now() < deadline) {
    delivered = await stack.db.select({ createdAt: deliveryOutbox.createdAt, deliveredAt: deliveryOutbox.deliveredAt }).from(deliveryOutbox).where(and(inArray(deliveryOutbox.ticketId, ids), eq(deliveryOutbox.notice, 'received'), isNotNull(deliveryOutbox.deliveredAt)));
    if (delivered.length >= ids.length * 3) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const lags = delivered.map((d) => d.deliveredAt!.getTime() - d.createdAt.getTime());
  console.log(`under load: ${intakeCount} intakes at concurrency ${concurrency} in ${intakeSeconds.toFixed(1)} s (${(intakeCount / intakeSeconds).toFixed(1)}/s), ${ids.length} tickets, ${lags.length} "received" deliveries; lag p50 ${quantile(lags, 0.5)} ms, p99 ${quantile(lags, 0.99)} ms, max ${Math.max(...lags)} ms`);
  await stack.close();
}

// --- 3. lag of every notice while a steady stream of queued notices drains and intakes arrive at once ---
if (runs('lag-mixed')) {
  const pollMs = Number(values['poll-ms']);
  const rate = Number(values['steady-rate']);
  const stack = await startTestStack({ policy: { reopenWindow: 0 }, delivery: { pollMs } });
  const steadyTickets = await benchTickets(stack, 'STEADY', 50);
  let queued = 0;
  let intakesDone = false;
  let seq = 0;
  // every 100 ms what the rate owes by the clock (a slow insert is caught up), spread over the steady tickets,
  // until the intakes are all in
  const feedStarted = performance.now();
  const feeder = (async () => {
    while (!intakesDone) {
      const owed = Math.floor(((performance.now() - feedStarted) / 1000) * rate) - seq;
      const rows = [];
      for (let i = 0; i < owed; i++, seq++) rows.push(...noticeRows(steadyTickets[seq % steadyTickets.length]!, 1_000 + seq));
      if (rows.length) {
        await stack.db.insert(deliveryOutbox).values(rows);
        queued += rows.length;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const intake = await postIntakes(stack, intakeCount, concurrency, 'mixed');
  intakesDone = true;
  await feeder;
  const deadline = Date.now() + 180_000;
  const pendingOf = async (where: SQL) => (await stack.db.select({ id: deliveryOutbox.id }).from(deliveryOutbox).where(and(where, eq(deliveryOutbox.status, 'pending')))).length;
  while (Date.now() < deadline && ((await pendingOf(like(deliveryOutbox.ticketId, 'STEADY-%'))) > 0 || (await pendingOf(inArray(deliveryOutbox.ticketId, intake.ids))) > 0)) await new Promise((r) => setTimeout(r, 200));
  const lagsOf = async (where: SQL) =>
    (await stack.db.select({ createdAt: deliveryOutbox.createdAt, deliveredAt: deliveryOutbox.deliveredAt }).from(deliveryOutbox).where(and(where, isNotNull(deliveryOutbox.deliveredAt)))).map((d) => d.deliveredAt!.getTime() - d.createdAt.getTime());
  const report = (name: string, lags: number[], expected: number) => console.log(`  ${name}: ${lags.length}/${expected} delivered; lag p50 ${quantile(lags, 0.5)} ms, p95 ${quantile(lags, 0.95)} ms, p99 ${quantile(lags, 0.99)} ms, max ${Math.max(...lags)} ms`);
  const intakeRows = await stack.db.select({ id: deliveryOutbox.id }).from(deliveryOutbox).where(inArray(deliveryOutbox.ticketId, intake.ids));
  console.log(`mixed: ${intakeCount} intakes at concurrency ${concurrency} in ${intake.seconds.toFixed(1)} s (${(intakeCount / intake.seconds).toFixed(1)}/s, ${intake.ids.length} tickets) while ${queued / 3} notices (${rate}/s × 3 channels) were queued; drain poll ${pollMs} ms; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  report('queued notices', await lagsOf(like(deliveryOutbox.ticketId, 'STEADY-%')), queued);
  report("the intakes' own notices (every kind, sent ones)", await lagsOf(inArray(deliveryOutbox.ticketId, intake.ids)), intakeRows.length);
  await stack.close();
}

await mailpit.stop();
await server.stop();
process.exit(0);
