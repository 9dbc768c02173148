// Claims under load on PostgreSQL: 10,000 queued tickets (written straight into the tables, no
// workflows) and 200 agents pulling at once until the queues are empty. Measures what the row
// locking costs: assignments per second, latency of one pull (p50/p99), and counts duplicates.
//   npx tsx bench/dispatch.bench.ts [--tickets 10000] [--agents 200] [--connections 40]
// Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ticketflow_dispatch_bench).
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { freshTestDatabase } from '../scripts/postgres';
import { openDatabase, prepareDatabase, queueItems } from '../schema';
import { claimNext } from '../schema/dispatch-repository';
import { insertAgents, insertQueueRows } from './queue-fixtures';

const { values } = parseArgs({ options: { tickets: { type: 'string', default: '10000' }, agents: { type: 'string', default: '200' }, connections: { type: 'string', default: '40' } } });
const ticketCount = Number(values.tickets);
const agentCount = Number(values.agents);
const connections = Number(values.connections);
const GROUPS = ['fee_group', 'order_exception_group', 'claims_group', 'general_group', 'safety_group'];

const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ticketflow_dispatch_bench';
await freshTestDatabase(databaseUrl);
const handle = await openDatabase({ databaseUrl, dataDir: os.tmpdir(), poolSize: connections });
await prepareDatabase(handle);
const { db } = handle;

const loadStart = performance.now();
await insertQueueRows(
  db,
  Array.from({ length: ticketCount }, (_, i) => ({ id: `B-${i}`, group: GROUPS[i % GROUPS.length]!, priority: (i * 37) % 101, waitedMs: (i * 7919) % 3_600_000, deadlineInMs: i % 3 ? ((i * 104_729) % 7_200_000) + 60_000 : undefined })),
);
// each agent in two groups; capacity so that together they can hold every ticket
const capacity = Math.ceil((ticketCount / agentCount) * 1.5);
await insertAgents(db, Array.from({ length: agentCount }, (_, i) => ({ id: `BA-${i}`, groups: [GROUPS[i % GROUPS.length]!, GROUPS[(i + 2) % GROUPS.length]!], max: capacity })));
await db.execute(sql`analyze`); // as autovacuum would have by the time a queue is this long
console.log(`loaded ${ticketCount} queue rows and ${agentCount} agents in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);

const latencies: number[] = [];
const claimed: string[] = [];
let empties = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: agentCount }, async (_, i) => {
    for (;;) {
      const t0 = performance.now();
      const result = await claimNext(db, `BA-${i}`);
      latencies.push(performance.now() - t0);
      if (result.kind !== 'claimed') {
        empties++;
        return;
      }
      claimed.push(result.ticketId);
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
const duplicates = claimed.length - new Set(claimed).size;
const [left] = await db.select({ n: sql<number>`count(*)::int` }).from(queueItems).where(sql`${queueItems.holder} is null`);
const [over] = await db.select({ n: sql<number>`count(*)::int` }).from(sql`(select holder from queue_items where holder is not null group by holder having count(*) > ${capacity}) t`);

console.log(`
| tickets | agents | connections | assignments | seconds | assignments/s | pull p50 | pull p99 | duplicates | unassigned | agents over capacity |
|---|---|---|---|---|---|---|---|---|---|---|
| ${ticketCount} | ${agentCount} | ${connections} | ${claimed.length} | ${seconds.toFixed(1)} | ${(claimed.length / seconds).toFixed(0)} | ${pct(50)} ms | ${pct(99)} ms | ${duplicates} | ${left!.n} | ${over!.n} |
(${empties} final pulls found the agent's groups empty)`);
await handle.close();
if (duplicates || left!.n || over!.n) process.exit(1);
