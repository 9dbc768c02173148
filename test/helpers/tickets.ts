// Small drivers of the HTTP API for tests.
import { randomUUID } from 'node:crypto';
import type { Order, OrderScenario } from '../../integrations/types';
import type { TestStack } from './stack';

export interface TicketBody {
  text: string;
  userId?: string;
  orderId?: string;
  channel?: string;
  userTier?: string;
  region?: string;
  language?: string;
}

export async function postTicket(stack: TestStack, body: TicketBody, key: string | null = randomUUID()) {
  const response = await stack.app.inject({
    method: 'POST',
    url: '/v1/tickets',
    headers: key ? { 'idempotency-key': key } : {},
    payload: { userId: 'U-test', channel: 'app', ...body },
  });
  return { status: response.statusCode, headers: response.headers, body: response.json() };
}

export async function getTicket(stack: TestStack, id: string) {
  const response = await stack.app.inject({ method: 'GET', url: `/v1/tickets/${id}` });
  return { status: response.statusCode, headers: response.headers, body: response.json() };
}

export async function confirm(stack: TestStack, id: string, payload: unknown) {
  const response = await stack.app.inject({ method: 'POST', url: `/v1/tickets/${id}/confirmation`, payload: payload as object });
  return { status: response.statusCode, headers: response.headers, body: response.json() };
}

/** Polls the read model until the ticket reaches the status (or fails after timeoutMs). */
export async function waitForStatus(stack: TestStack, id: string, status: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const { body } = await getTicket(stack, id);
    last = body?.ticket?.status;
    if (last === status) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`ticket ${id} did not reach ${status} within ${timeoutMs} ms (last: ${String(last)})`);
}

/** The first order of a seeded sandbox scenario that also satisfies `fits`. */
export async function orderOf(stack: TestStack, scenario: OrderScenario, fits: (order: Order) => boolean = () => true) {
  const { orders } = await stack.orders.listOrders({ scenario, limit: 1000 });
  const order = orders.find(fits);
  if (!order) throw new Error(`no sandbox order for scenario ${scenario} that fits`);
  return order;
}

/** GET /v1/requests/:requestId: the outcome of one intake. */
export async function getRequest(stack: TestStack, requestId: string) {
  const response = await stack.app.inject({ method: 'GET', url: `/v1/requests/${requestId}` });
  return { status: response.statusCode, body: response.json() };
}
