// Money tests: the finance ledger of an order, faults of the finance sandbox, reopening, and waiting
// until a ticket stands still (waits for someone, or has ended).
import type { Order, OrderScenario, PaymentCause } from '../../integrations/types';
import type { TestStack } from './stack';
import { getTicket } from './tickets';

export interface OrderLedger {
  /** fen refunded on the order, all tickets and causes together */
  refundsFen: number;
  refundCount: number;
  /** fen in coupons per cause, all tickets together */
  couponsFen: Record<PaymentCause, number>;
  couponCount: number;
  /** coupons of this order that went to someone else than the order's user */
  couponsToOthers: number;
}

export async function ledgerOf(stack: TestStack, order: Pick<Order, 'id' | 'userId'>): Promise<OrderLedger> {
  const [refunds, coupons] = await Promise.all([stack.finance.listRefunds({ orderId: order.id }), stack.finance.listCoupons({ orderId: order.id })]);
  const couponsFen: Record<PaymentCause, number> = { overcharge: 0, cargo_claim: 0, late_arrival: 0, goodwill: 0, apology: 0 };
  for (const c of coupons) couponsFen[c.cause ?? 'goodwill'] += c.amount;
  return {
    refundsFen: refunds.reduce((s, r) => s + r.amount, 0),
    refundCount: refunds.length,
    couponsFen,
    couponCount: coupons.length,
    couponsToOthers: coupons.filter((c) => c.userId !== order.userId).length,
  };
}

type FaultPlan = { failNext: number; mode?: 'before' | 'after'; scope?: 'posts' | 'all' };

/**
 * The next `failNext` POSTs to finance answer 503, before or after doing the work; with `scope: 'all'` the ledger
 * reads too (finance unreachable); `then` is armed once these are used up (see docs/SANDBOX.md).
 */
export async function armFinanceFaults(stack: TestStack, failNext: number, mode: 'before' | 'after', more: { scope?: 'posts' | 'all'; then?: FaultPlan } = {}) {
  const res = await fetch(`${stack.sandbox.financeApiUrl}/_faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext, mode, ...more }) });
  if (!res.ok) throw new Error(`arming finance faults answered ${res.status}`);
}

export async function clearFinanceFaults(stack: TestStack) {
  await fetch(`${stack.sandbox.financeApiUrl}/_faults`, { method: 'DELETE' });
}

/** Waits until the ticket waits for someone (a signal, a decision) or its procedure has ended; returns the live state. */
export async function settle(stack: TestStack, ticketId: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const { body } = await getTicket(stack, ticketId);
    last = body.live;
    if (body.live && (body.live.waitingFor || body.live.step === 'end')) return body.live;
    if (Date.now() > deadline) throw new Error(`ticket ${ticketId} did not settle within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sandbox orders handed out once per test file, so tests sharing a sandbox never share an order's ledger. */
export function orderDealer(stack: () => TestStack) {
  const used = new Set<string>();
  return async function freshOrder(scenario: OrderScenario, fits: (order: Order) => boolean = () => true): Promise<Order> {
    const { orders } = await stack().orders.listOrders({ scenario, limit: 1000 });
    const order = orders.find((o) => !used.has(o.id) && fits(o));
    if (!order) throw new Error(`no unused sandbox order for scenario ${scenario} that fits`);
    used.add(order.id);
    return order;
  };
}

/** A real user of the sandbox who does not own the order. */
export async function strangerTo(stack: TestStack, order: Pick<Order, 'userId'>): Promise<string> {
  const { orders } = await stack.orders.listOrders({ limit: 50 });
  const other = orders.find((o) => o.userId !== order.userId);
  if (!other) throw new Error('no other user in the sandbox');
  return other.userId;
}
