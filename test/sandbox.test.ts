import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../sandbox/index';
import { createOrderSystemClient } from '../integrations/orders';
import { createFinanceClient } from '../integrations/finance';
import { createSmsClient } from '../integrations/sms';
import { createUserSystemClient } from '../integrations/users';
import { ExternalSystemError } from '../integrations/http';
import type { Order, OrderScenario, RefundRequest } from '../integrations/types';

const SEED = 42;

async function withSandbox(
  fn: (sb: Awaited<ReturnType<typeof startSandbox>>, dataDir: string) => Promise<void>,
  opts: { dataDir?: string; seed?: number } = {},
) {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'sandbox-test-')));
  const sb = await startSandbox({ port: 0, dataDir, seed: opts.seed ?? SEED });
  try {
    await fn(sb, dataDir);
  } finally {
    await sb.close();
    if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

async function allOrders(baseUrl: string): Promise<Order[]> {
  const client = createOrderSystemClient(baseUrl);
  const { orders, total } = await client.listOrders({ limit: 1000 });
  if (orders.length !== total) throw new Error('pagination');
  return orders;
}

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

async function paidOrder(orderApiUrl: string): Promise<Order> {
  const { orders } = await createOrderSystemClient(orderApiUrl).listOrders({ scenario: 'correct_bill', limit: 50 });
  return orders.find((o) => o.payments.length === 1 && o.total > 1000)!;
}

test('refund: created, replayed with the same key, payment status updated', async (t) => {
  await withSandbox(async (sb) => {
    const fin = createFinanceClient(sb.financeApiUrl);
    const orders = createOrderSystemClient(sb.orderApiUrl);
    const order = await paidOrder(sb.orderApiUrl);
    const req: RefundRequest = { orderId: order.id, amount: 500, reason: 'waiting fee overcharged', ticketId: 'T-1' };
    const a = await fin.issueRefund(req, 'key-1');
    t.false(a.replayed);
    t.is(a.refund.status, 'succeeded');
    t.is(a.refund.amount, 500);
    t.is(a.refund.idempotencyKey, 'key-1');
    const b = await fin.issueRefund(req, 'key-1');
    t.true(b.replayed);
    t.deepEqual(b.refund, a.refund);

    const raw = await fetch(`${sb.financeApiUrl}/refunds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'key-1' },
      body: JSON.stringify(req),
    });
    t.is(raw.status, 200);
    t.is(raw.headers.get('idempotent-replayed'), 'true');

    t.is((await fin.listRefunds({ orderId: order.id })).length, 1);
    t.is((await fin.listRefunds({ ticketId: 'T-1' })).length, 1);
    t.is((await fin.listRefunds({ ticketId: 'T-2' })).length, 0);
    const log = (await fin.requestLog()).filter((e) => e.idempotencyKey === 'key-1');
    t.deepEqual(log.map((e) => [e.outcome, e.status]), [['created', 201], ['replayed', 200], ['replayed', 200]]);

    const after = (await orders.getOrder(order.id))!;
    t.is(after.payments[0]!.status, 'partially_refunded');
    t.is(after.payments[0]!.refundedAmount, 500);
    await fin.issueRefund({ orderId: order.id, amount: order.total - 500, reason: 'rest' }, 'key-2');
    const full = (await orders.getOrder(order.id))!;
    t.is(full.payments[0]!.status, 'refunded');
  });
});

test('refund rejections: 422 key reuse, 400 missing key / validation, 404, 409', async (t) => {
  await withSandbox(async (sb) => {
    const fin = createFinanceClient(sb.financeApiUrl);
    const order = await paidOrder(sb.orderApiUrl);
    await fin.issueRefund({ orderId: order.id, amount: 100, reason: 'x' }, 'k');

    const reuse = await t.throwsAsync(fin.issueRefund({ orderId: order.id, amount: 200, reason: 'x' }, 'k'), {
      instanceOf: ExternalSystemError,
    });
    t.is(reuse.status, 422);
    t.is(reuse.code, 'idempotency_key_reused');
    t.false(reuse.retryable);
    t.is(reuse.system, 'finance');

    const noKey = await fetch(`${sb.financeApiUrl}/refunds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: order.id, amount: 100, reason: 'x' }),
    });
    t.is(noKey.status, 400);
    t.is(((await noKey.json()) as { error: string }).error, 'missing_idempotency_key');

    const bad = await t.throwsAsync(fin.issueRefund({ orderId: order.id, amount: -5, reason: 'x' }, 'k-bad'), {
      instanceOf: ExternalSystemError,
    });
    t.is(bad.status, 400);
    t.is((bad.body as { field: string }).field, 'amount');
    const bad2 = await t.throwsAsync(fin.issueRefund({ orderId: order.id, amount: 1.5, reason: 'x' }, 'k-bad2'));
    t.is((bad2 as ExternalSystemError).status, 400);
    const bad3 = await t.throwsAsync(fin.issueRefund({ orderId: order.id, amount: 10, reason: '' }, 'k-bad3'));
    t.is(((bad3 as ExternalSystemError).body as { field: string }).field, 'reason');

    const unknown = await t.throwsAsync(fin.issueRefund({ orderId: 'ORD-999999', amount: 1, reason: 'x' }, 'k-404'), {
      instanceOf: ExternalSystemError,
    });
    t.is(unknown.status, 404);
    t.is(unknown.code, 'order_not_found');

    const tooMuch = await t.throwsAsync(fin.issueRefund({ orderId: order.id, amount: order.total, reason: 'x' }, 'k-409'), {
      instanceOf: ExternalSystemError,
    });
    t.is(tooMuch.status, 409);
    t.is(tooMuch.code, 'refund_exceeds_paid');
    t.false(tooMuch.retryable);
    // exactly the remainder is fine
    const rest = await fin.issueRefund({ orderId: order.id, amount: order.total - 100, reason: 'x' }, 'k-rest');
    t.false(rest.replayed);
    const more = await t.throwsAsync(fin.issueRefund({ orderId: order.id, amount: 1, reason: 'x' }, 'k-more'));
    t.is((more as ExternalSystemError).status, 409);

    // a no-show order was never charged: nothing to refund
    const { orders } = await createOrderSystemClient(sb.orderApiUrl).listOrders({ scenario: 'driver_no_show', limit: 1 });
    const noShow = await t.throwsAsync(fin.issueRefund({ orderId: orders[0]!.id, amount: 1, reason: 'x' }, 'k-ns'));
    t.is((noShow as ExternalSystemError).status, 409);

    t.is((await fin.listRefunds({ orderId: order.id })).length, 2);
    const log = await fin.requestLog();
    // every refusal above is in the log, in order, with its status
    t.deepEqual(log.filter((e) => e.outcome === 'rejected').map((e) => [e.status, e.idempotencyKey]), [
      [422, 'k'],
      [400, null],
      [400, 'k-bad'],
      [400, 'k-bad2'],
      [400, 'k-bad3'],
      [404, 'k-404'],
      [409, 'k-409'],
      [409, 'k-more'],
      [409, 'k-ns'],
    ]);
  });
});

test('fault injection "after": lost response, retry with same key replays, one refund', async (t) => {
  await withSandbox(async (sb) => {
    const fin = createFinanceClient(sb.financeApiUrl);
    const order = await paidOrder(sb.orderApiUrl);
    const req: RefundRequest = { orderId: order.id, amount: 300, reason: 'toll charged twice', ticketId: 'T-9' };
    const arm = await fetch(`${sb.financeApiUrl}/_faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ failNext: 1, mode: 'after' }),
    });
    t.is(arm.status, 200);

    const err = await t.throwsAsync(fin.issueRefund(req, 'retry-key'), { instanceOf: ExternalSystemError });
    t.is(err.status, 503);
    t.true(err.retryable);
    const retry = await fin.issueRefund(req, 'retry-key');
    t.true(retry.replayed);
    const refunds = await fin.listRefunds({ ticketId: 'T-9' });
    t.is(refunds.length, 1);
    t.is(refunds[0]!.id, retry.refund.id);
    const log = (await fin.requestLog()).filter((e) => e.idempotencyKey === 'retry-key');
    t.deepEqual(log.map((e) => [e.outcome, e.status, e.injectedFault ?? null]), [
      ['created', 503, 'after'],
      ['replayed', 200, null],
    ]);
  });
});

test('fault injection "before": nothing happens, retry creates; DELETE clears', async (t) => {
  await withSandbox(async (sb) => {
    const fin = createFinanceClient(sb.financeApiUrl);
    const order = await paidOrder(sb.orderApiUrl);
    const req: RefundRequest = { orderId: order.id, amount: 300, reason: 'x' };
    const setFaults = (body: unknown) =>
      fetch(`${sb.financeApiUrl}/_faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await setFaults({ failNext: 2, mode: 'before' });
    for (let i = 0; i < 2; i++) {
      const e = await t.throwsAsync(fin.issueRefund(req, 'k'), { instanceOf: ExternalSystemError });
      t.is(e.status, 503);
      t.true(e.retryable);
    }
    t.is((await fin.listRefunds({ orderId: order.id })).length, 0);
    const ok = await fin.issueRefund(req, 'k');
    t.false(ok.replayed);

    await setFaults({ failNext: 5, mode: 'before' });
    t.is((await fetch(`${sb.financeApiUrl}/_faults`, { method: 'DELETE' })).status, 200);
    const coupon = await fin.issueCoupon({ userId: order.userId, amount: 500, reason: 'sorry', validDays: 7 }, 'c');
    t.false(coupon.replayed);
    t.is((await setFaults({ failNext: -1 })).status, 400);
  });
});

test('fault injection "all": one answer lost, then reads fail too until cleared; posts-only faults leave reads alone', async (t) => {
  await withSandbox(async (sb) => {
    const fin = createFinanceClient(sb.financeApiUrl);
    const order = await paidOrder(sb.orderApiUrl);
    const req: RefundRequest = { orderId: order.id, amount: 300, reason: 'toll charged twice', ticketId: 'T-all' };
    const setFaults = (body: unknown) => fetch(`${sb.financeApiUrl}/_faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // the default scope fails posts only: the ledger stays readable
    t.deepEqual(await (await setFaults({ failNext: 2 })).json(), { failNext: 2, mode: 'before', scope: 'posts' });
    t.deepEqual(await fin.listRefunds({ orderId: order.id }), []);
    t.like(await (await fetch(`${sb.financeApiUrl}/_faults`)).json(), { failNext: 2 }, 'reads consume no posts-only fault');
    t.is((await fetch(`${sb.financeApiUrl}/_faults`, { method: 'DELETE' })).status, 200);

    const armed = await setFaults({ failNext: 1, mode: 'after', then: { failNext: 2, scope: 'all' } });
    t.deepEqual(await armed.json(), { failNext: 1, mode: 'after', scope: 'posts', then: { failNext: 2, mode: 'before', scope: 'all' } });
    t.deepEqual(await fin.listRefunds({ orderId: order.id }), [], 'the first plan leaves reads alone');
    t.is((await t.throwsAsync(fin.issueRefund(req, 'all-key'), { instanceOf: ExternalSystemError })).status, 503);
    // the refund exists (answer lost), and now finance is unreachable for reads as well
    const read = await t.throwsAsync(fin.listRefunds({ orderId: order.id }), { instanceOf: ExternalSystemError });
    t.is(read.status, 503);
    t.true(read.retryable);
    t.is((await t.throwsAsync(fin.listCoupons({ orderId: order.id }), { instanceOf: ExternalSystemError })).status, 503);
    // both faults of the second plan used up: finance answers again, with the one refund
    t.deepEqual((await fin.listRefunds({ orderId: order.id })).map((r) => [r.amount, r.idempotencyKey]), [[300, 'all-key']]);
    t.true((await fin.issueRefund(req, 'all-key')).replayed);

    t.is((await setFaults({ failNext: 1, scope: 'some' })).status, 400);
    t.like(await (await setFaults({ failNext: 1, then: { then: {} } })).json(), { field: 'then.then', reason: 'cannot be nested' });
  });
});

test('network errors and timeouts are retryable ExternalSystemErrors', async (t) => {
  const fin = createFinanceClient('http://127.0.0.1:1', { timeoutMs: 2000 });
  const e = await t.throwsAsync(fin.listRefunds({}), { instanceOf: ExternalSystemError });
  t.is(e.status, null);
  t.true(e.retryable);
  t.is(e.code, 'network_error');

  const { createServer } = await import('node:http');
  const server = createServer(() => {
    /* never answers */
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const slow = createOrderSystemClient(`http://127.0.0.1:${port}`, { timeoutMs: 200 });
    const te = await t.throwsAsync(slow.getOrder('ORD-100001'), { instanceOf: ExternalSystemError });
    t.is(te.code, 'timeout');
    t.is(te.status, null);
    t.true(te.retryable);
    t.is(te.system, 'orders');
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('coupons: created, replayed, 422, 400, listed', async (t) => {
  await withSandbox(async (sb) => {
    const fin = createFinanceClient(sb.financeApiUrl);
    const order = await paidOrder(sb.orderApiUrl);
    const req = { userId: order.userId, amount: 1000, reason: 'late arrival', validDays: 30, ticketId: 'T-5' };
    const a = await fin.issueCoupon(req, 'cpn-1');
    t.false(a.replayed);
    t.regex(a.coupon.code, /^CPN-[A-Z0-9]{4,}$/);
    t.is(Date.parse(a.coupon.expiresAt) - Date.parse(a.coupon.createdAt), 30 * 86_400_000);
    const b = await fin.issueCoupon(req, 'cpn-1');
    t.true(b.replayed);
    t.deepEqual(b.coupon, a.coupon);
    const reuse = await t.throwsAsync(fin.issueCoupon({ ...req, amount: 2000 }, 'cpn-1'), { instanceOf: ExternalSystemError });
    t.is(reuse.status, 422);
    const bad = await t.throwsAsync(fin.issueCoupon({ ...req, validDays: 0 }, 'cpn-2'), { instanceOf: ExternalSystemError });
    t.is(bad.status, 400);
    t.is((bad.body as { field: string }).field, 'validDays');
    const noKey = await fetch(`${sb.financeApiUrl}/coupons`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(req),
    });
    t.is(noKey.status, 400);
    // a refund and a coupon may share a key: keys are scoped per endpoint
    await fin.issueRefund({ orderId: order.id, amount: 100, reason: 'x' }, 'cpn-1');
    t.is((await fin.listCoupons({ userId: order.userId })).length, 1);
    t.is((await fin.listCoupons({ ticketId: 'T-5' })).length, 1);
    t.is((await fin.listCoupons({ userId: 'U-000000' })).length, 0);
  });
});

test('coupons and refunds carry their order and cause; the ledger filters by them', async (t) => {
  await withSandbox(async (sb) => {
    const fin = createFinanceClient(sb.financeApiUrl);
    const order = await paidOrder(sb.orderApiUrl);
    await fin.issueCoupon({ userId: order.userId, orderId: order.id, cause: 'late_arrival', amount: 1000, reason: 'late', validDays: 30 }, 'c-late');
    await fin.issueCoupon({ userId: order.userId, orderId: order.id, cause: 'goodwill', amount: 500, reason: 'vip', validDays: 30 }, 'c-good');
    await fin.issueCoupon({ userId: order.userId, amount: 700, reason: 'no order', validDays: 30 }, 'c-none');
    await fin.issueRefund({ orderId: order.id, cause: 'overcharge', amount: 100, reason: 'x' }, 'r-1');
    t.deepEqual((await fin.listCoupons({ orderId: order.id })).map((c) => c.amount), [1000, 500]);
    t.deepEqual((await fin.listCoupons({ orderId: order.id, cause: 'late_arrival' })).map((c) => c.idempotencyKey), ['c-late']);
    t.deepEqual((await fin.listRefunds({ orderId: order.id, cause: 'overcharge' })).map((r) => r.amount), [100]);
    const bad = await t.throwsAsync(fin.issueCoupon({ userId: order.userId, cause: 'bonus' as never, amount: 1, reason: 'x', validDays: 1 }, 'c-bad'), { instanceOf: ExternalSystemError });
    t.is((bad.body as { field: string }).field, 'cause');
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

test('state survives close + restart with the same dataDir', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'sandbox-persist-'));
  try {
    let orderId = '';
    let refundId = '';
    await withSandbox(
      async (sb) => {
        const fin = createFinanceClient(sb.financeApiUrl);
        const order = await paidOrder(sb.orderApiUrl);
        orderId = order.id;
        refundId = (await fin.issueRefund({ orderId, amount: 200, reason: 'x' }, 'persist')).refund.id;
        await fin.issueCoupon({ userId: order.userId, amount: 300, reason: 'y', validDays: 3 }, 'persist-c');
        await createSmsClient(sb.smsApiUrl).send('13800138000', '您的退款已受理', 'persist-sms');
      },
      { dataDir },
    );
    await withSandbox(
      async (sb) => {
        const fin = createFinanceClient(sb.financeApiUrl);
        const refunds = await fin.listRefunds({ orderId });
        t.is(refunds.length, 1);
        t.is(refunds[0]!.id, refundId);
        const replay = await fin.issueRefund({ orderId, amount: 200, reason: 'x' }, 'persist');
        t.true(replay.replayed);
        t.is(replay.refund.id, refundId);
        const next = await fin.issueRefund({ orderId, amount: 100, reason: 'x' }, 'persist-2');
        t.not(next.refund.id, refundId);
        t.is((await fin.listCoupons({})).length, 1);
        t.is((await fin.requestLog()).length, 4);
        const order = await createOrderSystemClient(sb.orderApiUrl).getOrder(orderId);
        t.is(order!.payments[0]!.refundedAmount, 300);
        t.is(order!.payments[0]!.status, 'partially_refunded');
        t.is((await createSmsClient(sb.smsApiUrl).list()).length, 1);
      },
      { dataDir },
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('sms: send, validate, list by recipient', async (t) => {
  await withSandbox(async (sb) => {
    const sms = createSmsClient(sb.smsApiUrl);
    const m = await sms.send('13800138000', '【货运】您的工单T-1已处理', 'sms-1');
    t.regex(m.id, /^SMS-/);
    t.is(m.to, '13800138000');
    await sms.send('+8613912345678', 'hello', 'sms-2');
    t.is((await sms.list()).length, 2);
    t.deepEqual((await sms.list('13800138000')).map((x) => x.id), [m.id]);
    const badPhone = await t.throwsAsync(sms.send('12345', 'x', 'sms-3'), { instanceOf: ExternalSystemError });
    t.is(badPhone.status, 400);
    t.is(badPhone.system, 'sms');
    t.false(badPhone.retryable);
    const empty = await t.throwsAsync(sms.send('13800138000', '  ', 'sms-4'), { instanceOf: ExternalSystemError });
    t.is(empty.status, 400);
  });
});

test('sms: the same Idempotency-Key sends once and returns the original message, also after a fault that lost the answer', async (t) => {
  await withSandbox(async (sb) => {
    const sms = createSmsClient(sb.smsApiUrl);
    const first = await sms.send('13800138000', '[Ticketflow] page', 'page-1');
    const again = await sms.send('13800138000', '[Ticketflow] page', 'page-1');
    t.deepEqual(again, first);
    t.is(again.idempotencyKey, 'page-1');
    const reused = await t.throwsAsync(sms.send('13800138000', 'another text', 'page-1'), { instanceOf: ExternalSystemError });
    t.is(reused.status, 422);
    t.is(reused.code, 'idempotency_key_reused');
    // the gateway stored the message but the answer was lost: the retry gets that message, not a second one
    await fetch(`${sb.smsApiUrl}/_faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext: 1, mode: 'after' }) });
    await t.throwsAsync(sms.send('13800138001', 'after fault', 'page-2'), { instanceOf: ExternalSystemError });
    const retried = await sms.send('13800138001', 'after fault', 'page-2');
    t.is(retried.text, 'after fault');
    t.deepEqual((await sms.list()).map((m) => m.idempotencyKey), ['page-1', 'page-2']);
    t.not((await sms.send('13800138000', '[Ticketflow] page', 'page-3')).id, first.id);
  });
});
