// Small drivers of the HTTP API for tests. Each sends the stack's credentials unless told whom to
// call as (`as`: a token, { token, onBehalfOf }, or null for no credentials).
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Order, OrderScenario } from '../../integrations/types';
import { tickets } from '../../schema';
import { authHeaders, type As } from './credentials';
import type { TestStack } from './stack';

export interface TicketBody {
  text: string;
  userId?: string;
  orderId?: string;
  channel?: string;
  userTier?: string;
  region?: string;
  appVersion?: string;
  language?: string;
}

/** Any route: `api(stack, 'GET', '/v1/me', { as })`. Defaults to the all-scopes service key. */
export async function api(stack: TestStack, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, opts: { payload?: unknown; as?: As; headers?: Record<string, string> } = {}) {
  const as = opts.as === undefined ? stack.auth.service : opts.as;
  const response = await stack.app.inject({ method, url, headers: { ...authHeaders(as), ...opts.headers }, ...(opts.payload === undefined ? {} : { payload: opts.payload as object }) });
  // JSON answers parsed; text ones (the server-sent event stream, Prometheus metrics) as text
  const json = !/^text\//.test(String(response.headers['content-type'] ?? ''));
  return { status: response.statusCode, headers: response.headers, body: response.body ? (json ? response.json() : response.body) : undefined };
}

export async function postTicket(stack: TestStack, body: TicketBody, key: string | null = randomUUID(), as?: As) {
  return api(stack, 'POST', '/v1/tickets', { payload: { userId: 'U-test', channel: 'app', ...body }, as, headers: key ? { 'idempotency-key': key } : {} });
}

export async function getTicket(stack: TestStack, id: string, as?: As) {
  return api(stack, 'GET', `/v1/tickets/${id}`, { as });
}

/** The ticket's user (for a service acting on their behalf); a made-up one for an unknown ticket. */
export async function userOf(stack: TestStack, ticketId: string): Promise<string> {
  const [row] = await stack.db.select({ userId: tickets.userId }).from(tickets).where(eq(tickets.id, ticketId));
  return row?.userId ?? 'U-unknown';
}

/** The user's answer; by default the service key acting for the ticket's own user. */
export async function confirm(stack: TestStack, id: string, payload: unknown, as?: As) {
  const caller = as === undefined ? { token: stack.auth.service, onBehalfOf: await userOf(stack, id) } : as;
  return api(stack, 'POST', `/v1/tickets/${id}/confirmation`, { payload, as: caller });
}

/** The user reopens a closed ticket; by default the service key acting for the ticket's own user. */
export async function reopen(stack: TestStack, id: string, payload: unknown, as?: As) {
  const caller = as === undefined ? { token: stack.auth.service, onBehalfOf: await userOf(stack, id) } : as;
  const { status, body } = await api(stack, 'POST', `/v1/tickets/${id}/reopen`, { payload, as: caller });
  return { status, body };
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
export async function getRequest(stack: TestStack, requestId: string, as?: As) {
  return api(stack, 'GET', `/v1/requests/${requestId}`, { as });
}
