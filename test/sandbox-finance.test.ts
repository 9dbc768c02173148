// Finance sandbox: refunds and coupons with idempotency keys, rejections, injected faults, restarts.
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrderSystemClient } from '../integrations/orders';
import { createFinanceClient } from '../integrations/finance';
import { createSmsClient } from '../integrations/sms';
import { ExternalSystemError } from '../integrations/http';
import type { RefundRequest } from '../integrations/types';
import { withSandbox, paidOrder } from './helpers/sandbox';

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
