// Intake throughput and latency through the real HTTP API: dev server with its SQLite file and WAL
// pragmas (as `npm start` runs it), real PostgreSQL, worker and API in this process.
//   npx tsx bench/intake.bench.ts [--requests 400] [--concurrency 8]
// Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ticketflow_bench).
import { parseArgs } from 'node:util';
import { startBenchStack } from './stack';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '400' }, concurrency: { type: 'string', default: '8' } } });
const total = Number(values.requests);
const concurrency = Number(values.concurrency);

const { stack, base, close } = await startBenchStack({ policy: { reopenWindow: 0 } });
const url = `${base}/v1/tickets`;

const { orders } = await stack.orders.listOrders({ limit: 200 });
const texts = ['等候费多收了,我只等了一会儿', '司机未按约定时间到达且态度恶劣', 'I was charged a cross-city surcharge for a trip inside the city', '过路费收了两次', 'APP一直闪退'];
const latencies: number[] = [];
let next = 0;
let failed = 0;
const started = performance.now();
let shown = -1;
const bar = setInterval(() => {
  const done = latencies.length + failed;
  if (done === shown) return;
  shown = done;
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
}, 200);

async function client() {
  while (next < total) {
    const i = next++;
    const order = orders[i % orders.length]!;
    const t0 = performance.now();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.auth.service}`, 'idempotency-key': `bench-${Date.now()}-${i}` },
      body: JSON.stringify({ text: texts[i % texts.length], userId: order.userId, orderId: order.id, channel: 'app' }),
    });
    await response.arrayBuffer();
    if (response.status === 201) latencies.push(performance.now() - t0);
    else failed++;
  }
}
await Promise.all(Array.from({ length: concurrency }, client));
const seconds = (performance.now() - started) / 1000;
clearInterval(bar);
process.stderr.write('\n');
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(0);
console.log(`requests ${total} (concurrency ${concurrency}), failed ${failed}`);
console.log(`intake throughput ${(latencies.length / seconds).toFixed(1)} requests/s`);
console.log(`latency to 201: p50 ${pct(50)} ms, p95 ${pct(95)} ms, p99 ${pct(99)} ms`);
await close();
