// HTTP client for the order system (sandbox: `${sandbox.url}/order`).
import { createHttp, getOrNull, type HttpClientOptions } from './http';
import type { Order, OrderEvidence, OrderScenario } from './types';

export interface ListOrdersQuery {
  scenario?: OrderScenario;
  userId?: string;
  limit?: number;
  offset?: number;
}

export interface OrderSystem {
  /** null when the order does not exist (404) */
  getOrder(id: string): Promise<Order | null>;
  listOrders(q?: ListOrdersQuery): Promise<{ orders: Order[]; total: number }>;
  /** trajectory and sign-off photos; null when the order does not exist */
  getEvidence(id: string): Promise<OrderEvidence | null>;
  /** scenario → first order ids (sandbox only) */
  scenarios(limit?: number): Promise<Record<OrderScenario, string[]>>;
}

export function createOrderSystemClient(baseUrl: string, opts: HttpClientOptions = {}): OrderSystem {
  const http = createHttp('orders', baseUrl, opts);
  return {
    getOrder: (id) => getOrNull<Order>(http, `/orders/${encodeURIComponent(id)}`),
    getEvidence: (id) => getOrNull<OrderEvidence>(http, `/orders/${encodeURIComponent(id)}/evidence`),
    async listOrders(q = {}) {
      const res = await http<{ orders: Order[]; total: number }>('/orders', {
        query: { scenario: q.scenario, userId: q.userId, limit: q.limit, offset: q.offset },
      });
      return res.body;
    },
    async scenarios(limit) {
      const res = await http<Record<OrderScenario, string[]>>('/scenarios', { query: { limit } });
      return res.body;
    },
  };
}
