// The queue on the real PostgreSQL: order (effective priority with aging, then deadline), and claims
// from many connections at once that never give a ticket twice nor exceed an agent's capacity.
// Rows are written straight into the tables here (claims are database work); holders through the
// workflows are in dispatch-holders.test.ts and dispatch-policies.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { eq, sql } from 'drizzle-orm';
import { effectivePriority } from '../domain/dispatch';
import { openDatabase, queueItems, type DatabaseHandle } from '../schema';
import { claimNext, listQueue, setGroupPolicy } from '../schema/dispatch-repository';
import { insertAgents, insertQueueRows } from '../bench/queue-fixtures';
import { SKILL_GROUPS } from '../sops/actions';
import { startTestStack, type TestStack } from './helpers/stack';
import { api } from './helpers/tickets';

let stack: TestStack;
let wide: DatabaseHandle; // a pool of its own: 32 connections claiming at once
test.before(async () => {
  stack = await startTestStack({ worker: false });
  wide = await openDatabase({ databaseUrl: stack.config.databaseUrl!, dataDir: os.tmpdir(), poolSize: 32 });
});
test.after.always(async () => {
  await wide?.close();
  await stack?.close();
});

const MIN = 60_000;

test.serial('order: effective priority (intake priority raised by waiting), then the nearer deadline', async (t) => {
  await setGroupPolicy(stack.db, { group: 'claims_group', policy: 'pull_only', agingMs: 10 * MIN, silenceMs: null, silenceAction: null });
  await insertQueueRows(stack.db, [
    { id: 'O-fresh-60', group: 'claims_group', priority: 60 },
    { id: 'O-old-45', group: 'claims_group', priority: 45, waitedMs: 185 * MIN }, // 45 + 18 = 63
    { id: 'O-50-late', group: 'claims_group', priority: 50, deadlineInMs: 60 * MIN },
    { id: 'O-50-soon', group: 'claims_group', priority: 50, deadlineInMs: 5 * MIN },
    { id: 'O-50-none', group: 'claims_group', priority: 50 },
    { id: 'O-ancient-10', group: 'claims_group', priority: 10, waitedMs: 100 * 24 * 60 * MIN }, // capped at 100: nothing starves
  ]);
  const { status, body } = await api(stack, 'GET', '/v1/queues/claims_group', { as: stack.auth.admin });
  t.is(status, 200);
  t.deepEqual(body.items.map((i: { ticketId: string }) => i.ticketId), ['O-ancient-10', 'O-old-45', 'O-fresh-60', 'O-50-soon', 'O-50-late', 'O-50-none']);
  t.deepEqual(body.items.map((i: { effectivePriority: number }) => i.effectivePriority), [100, 63, 60, 50, 50, 50]);
  t.is(effectivePriority(45, 185 * MIN, 10 * MIN), 63);
  const soon = body.items.find((i: { ticketId: string }) => i.ticketId === 'O-50-soon');
  t.true(soon.remainingMs > 4 * MIN && soon.remainingMs <= 5 * MIN, String(soon.remainingMs));
  t.is(body.items.find((i: { ticketId: string }) => i.ticketId === 'O-50-none').remainingMs, null);
  t.like(body.policy, { policy: 'pull_only', agingMs: 10 * MIN });

  // a pull takes them in this order; a faster aging policy reorders the rest when read
  await insertAgents(stack.db, [{ id: 'Q-order', groups: ['claims_group'], max: 10 }]);
  const first = await claimNext(stack.db, 'Q-order');
  t.like(first, { kind: 'claimed', ticketId: 'O-ancient-10' });
  await setGroupPolicy(stack.db, { group: 'claims_group', policy: 'pull_only', agingMs: 1 * MIN, silenceMs: null, silenceAction: null });
  t.deepEqual((await listQueue(stack.db, 'claims_group')).filter((i) => !i.holder).map((i) => i.ticketId).slice(0, 2), ['O-old-45', 'O-fresh-60']);
  t.is((await listQueue(stack.db, 'claims_group')).find((i) => i.ticketId === 'O-old-45')!.effectivePriority, 100);
});

test.serial('200 concurrent pulls by 40 agents over 150 tickets: each ticket once, nobody over capacity', async (t) => {
  const group = 'order_exception_group';
  await insertQueueRows(stack.db, Array.from({ length: 150 }, (_, i) => ({ id: `C-${i}`, group, priority: i % 100, waitedMs: i * 1000 })));
  const agents = Array.from({ length: 40 }, (_, i) => ({ id: `Q-agent-${i}`, groups: [group], max: 5 }));
  await insertAgents(stack.db, agents);
  // each agent pulls 5 times at once (200 pulls on 32 connections): capacity 5 × 40 = 200 > 150 tickets
  const results = await Promise.all(agents.flatMap((a) => Array.from({ length: 5 }, () => claimNext(wide.db, a.id))));
  const claimed = results.filter((r) => r.kind === 'claimed') as Array<{ ticketId: string }>;
  t.is(claimed.length, 150);
  t.is(new Set(claimed.map((c) => c.ticketId)).size, 150);
  t.is(results.filter((r) => r.kind === 'empty').length, 50);
  const perHolder = await stack.db.select({ holder: queueItems.holder, n: sql<number>`count(*)::int` }).from(queueItems).where(eq(queueItems.group, group)).groupBy(queueItems.holder);
  t.false(perHolder.some((r) => r.holder === null));
  t.true(perHolder.every((r) => r.n <= 5), JSON.stringify(perHolder));
  t.is(perHolder.reduce((sum, r) => sum + r.n, 0), 150);
});

test.serial("one agent's 12 concurrent pulls stop at their capacity of 3", async (t) => {
  const group = 'tech_team';
  await insertQueueRows(stack.db, Array.from({ length: 20 }, (_, i) => ({ id: `K-${i}`, group, priority: 50 })));
  await insertAgents(stack.db, [{ id: 'Q-capped', groups: [group], max: 3 }]);
  const results = await Promise.all(Array.from({ length: 12 }, () => claimNext(wide.db, 'Q-capped')));
  t.is(results.filter((r) => r.kind === 'claimed').length, 3);
  t.is(results.filter((r) => r.kind === 'capacity').length, 9);
  const [held] = await stack.db.select({ n: sql<number>`count(*)::int` }).from(queueItems).where(eq(queueItems.holder, 'Q-capped'));
  t.is(held!.n, 3);
});

test.serial('the development team: three dozen agents over every group, seeded once', async (t) => {
  const { seedDevTeam, DEV_TEAM } = await import('../scripts/dev-team');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-team-'));
  const first = await seedDevTeam(stack.db, dir);
  t.is(first.created, DEV_TEAM.length);
  t.true(DEV_TEAM.length >= 30);
  t.is((await seedDevTeam(stack.db, dir)).created, 0);
  const { body } = await api(stack, 'GET', '/v1/agents', { as: stack.auth.admin });
  const seeded = body.filter((a: { id: string }) => DEV_TEAM.some((m) => m.id === a.id));
  const groups = new Set(seeded.flatMap((a: { groups: string[] }) => a.groups));
  for (const g of SKILL_GROUPS) t.true(groups.has(g), g);
  t.true(seeded.some((a: { displayName: string }) => /^[\u4e00-\u9fff]+$/.test(a.displayName)));
  t.true(seeded.some((a: { displayName: string }) => /^[A-Za-z ]+$/.test(a.displayName)));
  t.like((await api(stack, 'GET', '/v1/queues/safety_group', { as: stack.auth.admin })).body.policy, { policy: 'round_robin' });
  // a seeded agent logs in with the password kept in the file
  const { password } = JSON.parse(fs.readFileSync(first.file, 'utf8'));
  const login = await api(stack, 'POST', '/v1/auth/login', { as: null, payload: { username: 'e1001', password } });
  t.is(login.status, 200);
  t.like(login.body.staff, { id: 'E1001', role: 'agent' });
});
