// Order and user system sandboxes: seeded orders with consistent bills, every scenario, lookups, profiles.
import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrderSystemClient } from '../integrations/orders';
import { createUserSystemClient } from '../integrations/users';
import { ExternalSystemError } from '../integrations/http';
import type { Order, OrderScenario } from '../integrations/types';
import { SEED, withSandbox, allOrders } from './helpers/sandbox';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Every consistency rule a correct bill satisfies; returns the violated rules. */
function billViolations(o: Order): string[] {
  const v: string[] = [];
  const crossCity = o.origin.city !== o.destination.city;
  const hasSurcharge = o.fees.some((f) => f.code === 'cross_city_surcharge');
  if (crossCity !== hasSurcharge) v.push('cross_city_surcharge');
  const waiting = o.fees.filter((f) => f.code === 'waiting_fee');
  const over = o.waiting.actualMinutes - o.waiting.freeMinutes;
  if (over > 0) {
    if (waiting.length !== 1) v.push('waiting_fee missing');
    else if (waiting[0]!.amount !== over * o.waiting.ratePerMinute || waiting[0]!.detail !== String(over)) v.push('waiting_fee amount');
  } else if (waiting.length > 0) v.push('waiting_fee not due');
  const tollFees = o.fees.filter((f) => f.code === 'toll');
  if (tollFees.length !== o.tolls.length) v.push('toll count');
  o.tolls.forEach((t, i) => {
    if (tollFees[i]?.detail !== t.gate || tollFees[i]?.amount !== t.amount) v.push('toll item');
  });
  const seen = new Set(o.tolls.map((t) => `${t.gate}@${t.at}`));
  if (seen.size !== o.tolls.length) v.push('duplicate toll');
  if (o.total !== sum(o.fees.map((f) => f.amount))) v.push('total');
  if (sum(o.payments.filter((p) => p.status === 'captured').map((p) => p.amount)) !== o.total) v.push('payments');
  for (const f of o.fees) if (!f.label || !f.labelZh) v.push('labels');
  return v;
}

test('orders are deterministic per seed and realistic', async (t) => {
  let first: Order[] = [];
  await withSandbox(async (sb) => {
    first = await allOrders(sb.orderApiUrl);
  });
  await withSandbox(async (sb) => {
    t.deepEqual(await allOrders(sb.orderApiUrl), first);
  });
  await withSandbox(
    async (sb) => {
      t.notDeepEqual(await allOrders(sb.orderApiUrl), first);
    },
    { seed: SEED + 1 },
  );
  t.is(first.length, 300);
  t.is(first[0]!.id, 'ORD-100001');
  t.true(first.every((o) => /^ORD-\d{6}$/.test(o.id) && /^U-\d+$/.test(o.userId)));
  const perUser = new Map<string, number>();
  for (const o of first) perUser.set(o.userId, (perUser.get(o.userId) ?? 0) + 1);
  t.true([...perUser.values()].some((n) => n >= 3), 'some users have several orders');
  t.true(first.some((o) => o.tolls.length > 0));
  t.true(first.some((o) => o.fees.some((f) => f.code === 'coupon' && f.amount < 0)));
  t.true(first.some((o) => o.fees.some((f) => f.code === 'night_surcharge')));
  t.true(first.some((o) => o.fees.some((f) => f.code === 'porterage')));
  t.true(first.every((o) => Number.isInteger(o.total) && o.fees.every((f) => Number.isInteger(f.amount))));
});

test('every scenario is seeded and its defining property holds', async (t) => {
  await withSandbox(async (sb) => {
    const orders = await allOrders(sb.orderApiUrl);
    const by = (s: OrderScenario) => orders.filter((o) => o.scenario === s);
    const client = createOrderSystemClient(sb.orderApiUrl);
    const index = await client.scenarios();
    for (const s of Object.keys(index) as OrderScenario[]) {
      t.true(by(s).length >= 20, `${s} has >= 20 orders`);
      t.deepEqual(index[s], by(s).slice(0, 10).map((o) => o.id));
      const filtered = await client.listOrders({ scenario: s, limit: 5 });
      t.is(filtered.total, by(s).length);
      t.true(filtered.orders.every((o) => o.scenario === s));
    }
    t.is(Object.keys(index).length, 8);

    for (const o of by('correct_bill')) t.deepEqual(billViolations(o), [], o.id);
    for (const s of ['late_arrival', 'cancelled_with_fee', 'driver_no_show'] as const) {
      for (const o of by(s)) t.deepEqual(billViolations(o), [], `${s} ${o.id}`);
    }

    for (const o of by('waiting_fee_overcharged')) {
      const w = o.fees.find((f) => f.code === 'waiting_fee')!;
      const due = o.waiting.actualMinutes - o.waiting.freeMinutes;
      t.true(due > 0);
      t.true(Number(w.detail) > due, o.id);
      t.is(w.amount, Number(w.detail) * o.waiting.ratePerMinute);
      t.deepEqual(billViolations(o), ['waiting_fee amount'], o.id);
    }
    for (const o of by('wrongful_cross_city_surcharge')) {
      t.is(o.origin.city, o.destination.city);
      t.true(o.fees.some((f) => f.code === 'cross_city_surcharge'));
      t.deepEqual(billViolations(o), ['cross_city_surcharge'], o.id);
    }
    for (const o of by('double_charged_toll')) {
      const keys = o.tolls.map((t) => `${t.gate}@${t.at}`);
      t.true(new Set(keys).size < keys.length, o.id);
      const dupGate = o.tolls.find((x, i) => keys.indexOf(`${x.gate}@${x.at}`) !== i)!.gate;
      t.is(o.fees.filter((f) => f.code === 'toll' && f.detail === dupGate).length, 2);
      t.deepEqual(billViolations(o), ['duplicate toll'], o.id);
    }
    for (const o of by('double_payment')) {
      t.is(o.payments.length, 2);
      t.true(o.payments.every((p) => p.amount === o.total && p.status === 'captured'));
      t.deepEqual(billViolations(o), ['payments'], o.id);
    }
    for (const o of by('late_arrival')) {
      const late = (Date.parse(o.times.driverArrivedAt!) - Date.parse(o.times.promisedPickupAt)) / 60000;
      t.true(late >= 30 && late <= 181, `${o.id} late ${late}`);
      t.is(o.status, 'completed');
    }
    for (const o of orders.filter((x) => x.scenario !== 'late_arrival' && x.times.driverArrivedAt)) {
      const late = (Date.parse(o.times.driverArrivedAt!) - Date.parse(o.times.promisedPickupAt)) / 60000;
      t.true(late < 30, `${o.id} not late`);
    }
    for (const o of by('driver_no_show')) {
      t.is(o.status, 'cancelled');
      t.is(o.times.driverArrivedAt, null);
      const net = sum(o.payments.map((p) => p.amount - (p.refundedAmount ?? 0)));
      t.is(net, 0);
    }
    for (const o of by('cancelled_with_fee')) {
      t.is(o.status, 'cancelled');
      t.truthy(o.times.driverArrivedAt);
      t.is(o.cancellation?.by, 'user');
      t.true(Date.parse(o.cancellation!.at) >= Date.parse(o.times.driverArrivedAt!));
      t.deepEqual(o.fees.map((f) => f.code), ['cancellation_fee']);
      t.true(o.total > 0);
    }
  });
});

test('order lookup: found, 404 → null, filter by user', async (t) => {
  await withSandbox(async (sb) => {
    const client = createOrderSystemClient(sb.orderApiUrl);
    const order = await client.getOrder('ORD-100001');
    t.is(order?.id, 'ORD-100001');
    t.is(await client.getOrder('ORD-999999'), null);
    const res = await fetch(`${sb.orderApiUrl}/orders/ORD-999999`);
    t.is(res.status, 404);
    t.is(((await res.json()) as { error: string }).error, 'order_not_found');
    const mine = await client.listOrders({ userId: order!.userId });
    t.true(mine.orders.some((o) => o.id === 'ORD-100001'));
    t.is(mine.total, mine.orders.length);
    t.true(mine.orders.every((o) => o.userId === order!.userId));
    const page = await client.listOrders({ limit: 10, offset: 20 });
    t.is(page.orders[0]!.id, 'ORD-100021');
    t.is(page.orders.length, 10);
    const err = await t.throwsAsync(client.listOrders({ limit: 0 }), { instanceOf: ExternalSystemError });
    t.is(err.status, 400);
    t.false(err.retryable);
  });
});

test('user system: a profile with a tier for every order user, 404 → null, same after a restart', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'sandbox-users-'));
  try {
    let first: unknown;
    await withSandbox(
      async (sb) => {
        const users = createUserSystemClient(sb.userApiUrl);
        const orders = await allOrders(sb.orderApiUrl);
        const profiles = await Promise.all([...new Set(orders.map((o) => o.userId))].map((id) => users.getUser(id)));
        t.true(profiles.every((p) => p !== null && ['standard', 'vip', 'enterprise'].includes(p.tier)));
        const tiers = new Set(profiles.map((p) => p!.tier));
        t.deepEqual([...tiers].sort(), ['enterprise', 'standard', 'vip']);
        t.is(await users.getUser('U-000000'), null);
        const vip = (await (await fetch(`${sb.userApiUrl}/users?tier=vip`)).json()) as Array<{ tier: string }>;
        t.true(vip.length > 0 && vip.every((u) => u.tier === 'vip'));
        t.is((await fetch(`${sb.userApiUrl}/users?tier=gold`)).status, 400);
        first = profiles;
      },
      { dataDir },
    );
    // persisted, not regenerated: an edit of the stored state is what the restarted sandbox serves
    const file = join(dataDir, 'users.json');
    const stored = JSON.parse(await readFile(file, 'utf8')) as { users: Array<{ id: string; tier: string }> };
    const edited = stored.users[0]!;
    edited.tier = edited.tier === 'vip' ? 'enterprise' : 'vip';
    await writeFile(file, JSON.stringify(stored));
    await withSandbox(
      async (sb) => {
        const users = createUserSystemClient(sb.userApiUrl);
        t.is((await users.getUser(edited.id))!.tier as string, edited.tier);
        const others = (first as Array<{ id: string }>).filter((p) => p.id !== edited.id);
        t.deepEqual(await Promise.all(others.map((p) => users.getUser(p.id))), others);
      },
      { dataDir },
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
