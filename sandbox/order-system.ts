// Order system sandbox: read-only view of seeded orders, with payment statuses reflecting finance refunds.
import type { FastifyInstance } from 'fastify';
import type { Order, OrderEvidence, OrderScenario } from '../integrations/types';
import { SCENARIOS } from './generate';

export class OrderBook {
  readonly orders: Order[];
  private readonly byId = new Map<string, Order>();
  private readonly users = new Set<string>();

  constructor(orders: Order[], private readonly refundedFor: (orderId: string) => number) {
    this.orders = orders;
    for (const o of orders) {
      this.byId.set(o.id, o);
      this.users.add(o.userId);
    }
  }

  raw(id: string): Order | undefined {
    return this.byId.get(id);
  }

  hasUser(userId: string): boolean {
    return this.users.has(userId);
  }

  /** Amount captured on the order as seeded (fen). */
  capturedAmount(order: Order): number {
    return order.payments.filter((p) => p.status === 'captured').reduce((s, p) => s + p.amount, 0);
  }

  /** Order as the API returns it: payments carry refund state derived from finance refunds. */
  view(order: Order): Order {
    let remaining = this.refundedFor(order.id);
    const payments = order.payments.map((p) => {
      const refunded = Math.min(remaining, p.amount);
      remaining -= refunded;
      const status: Order['payments'][number]['status'] =
        refunded === 0 ? p.status : refunded === p.amount ? 'refunded' : 'partially_refunded';
      return { ...p, status, refundedAmount: (p.refundedAmount ?? 0) + refunded };
    });
    return structuredClone({ ...order, payments });
  }
}

function badRequest(field: string, reason: string) {
  return { error: 'validation_failed', field, reason };
}

function parseIntParam(v: string | undefined, def: number, min: number, max: number): number | null {
  if (v === undefined || v === '') return def;
  if (!/^\d+$/.test(v)) return null;
  const n = Number(v);
  return n >= min && n <= max ? n : null;
}

export function orderRoutes(book: OrderBook) {
  return async function (app: FastifyInstance): Promise<void> {
    app.get('/orders', async (req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      if (q.scenario && !SCENARIOS.includes(q.scenario as OrderScenario)) {
        return reply.code(400).send(badRequest('scenario', `must be one of ${SCENARIOS.join(', ')}`));
      }
      const limit = parseIntParam(q.limit, 50, 1, 1000);
      if (limit === null) return reply.code(400).send(badRequest('limit', 'must be an integer between 1 and 1000'));
      const offset = parseIntParam(q.offset, 0, 0, Number.MAX_SAFE_INTEGER);
      if (offset === null) return reply.code(400).send(badRequest('offset', 'must be a non-negative integer'));
      const matching = book.orders.filter(
        (o) => (!q.scenario || o.scenario === q.scenario) && (!q.userId || o.userId === q.userId),
      );
      return { orders: matching.slice(offset, offset + limit).map((o) => book.view(o)), total: matching.length };
    });

    // Evidence the driver app recorded: GPS trajectory from pickup to drop-off and sign-off photos.
    app.get('/orders/:id/evidence', async (req, reply) => {
      const { id } = req.params as { id: string };
      const order = book.raw(id);
      if (!order) return reply.code(404).send({ error: 'order_not_found', id });
      return orderEvidence(order);
    });

    app.get('/orders/:id', async (req, reply) => {
      const { id } = req.params as { id: string };
      const order = book.raw(id);
      if (!order) return reply.code(404).send({ error: 'order_not_found', id });
      return book.view(order);
    });

    app.get('/scenarios', async (req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      const limit = parseIntParam(q.limit, 10, 1, 100000);
      if (limit === null) return reply.code(400).send(badRequest('limit', 'must be a positive integer'));
      const out: Record<string, string[]> = {};
      for (const s of SCENARIOS) {
        out[s] = book.orders.filter((o) => o.scenario === s).slice(0, limit).map((o) => o.id);
      }
      return out;
    });
  };
}

/** Deterministic per order: ten trajectory points between the route's ends, photos only when delivered. */
export function orderEvidence(order: Order): OrderEvidence {
  const start = Date.parse(order.times.pickedUpAt ?? order.times.promisedPickupAt);
  const end = Date.parse(order.times.deliveredAt ?? new Date(start + 60 * 60_000).toISOString());
  const trajectory = Array.from({ length: 10 }, (_, i) => ({
    at: new Date(start + ((end - start) * i) / 9).toISOString(),
    progressKm: Math.round((order.distanceKm * i * 10) / 9) / 10,
    place: i === 0 ? order.origin.address : i === 9 ? order.destination.address : `${order.origin.city}→${order.destination.city}`,
  }));
  const signOffPhotos = order.times.deliveredAt
    ? [`/order/orders/${order.id}/photos/pickup.jpg`, `/order/orders/${order.id}/photos/delivery.jpg`]
    : [];
  return { orderId: order.id, trajectory, signOffPhotos, signedBy: order.times.deliveredAt ? 'consignee' : null };
}
