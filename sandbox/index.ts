// Bundled sandbox external systems (order system, finance system, SMS gateway) in one Fastify app.
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { DEFAULT_ORDER_COUNT, DEFAULT_SEED, generateOrders } from './generate';
import { OrderBook, orderRoutes } from './order-system';
import { FinanceSystemState, financeRoutes } from './finance-system';
import { SmsSystemState, smsRoutes } from './sms-system';
import { UserDirectory, generateUsers, userRoutes } from './user-system';

export { generateOrders, SCENARIOS, DEFAULT_SEED, DEFAULT_ORDER_COUNT } from './generate';
export { FARE_RULES, FEE_LABELS } from './catalog';

export interface SandboxOptions {
  /** 0 = random free port */
  port?: number;
  host?: string;
  dataDir: string;
  seed?: number;
  /** default 300 */
  orderCount?: number;
}

export interface RunningSandbox {
  url: string;
  orderApiUrl: string;
  financeApiUrl: string;
  smsApiUrl: string;
  userApiUrl: string;
  close(): Promise<void>;
}

export function buildSandboxApp(opts: { dataDir: string; seed?: number; orderCount?: number }): FastifyInstance {
  const finance = new FinanceSystemState(opts.dataDir);
  const sms = new SmsSystemState(opts.dataDir);
  const seed = opts.seed ?? DEFAULT_SEED;
  const book = new OrderBook(generateOrders(seed, opts.orderCount ?? DEFAULT_ORDER_COUNT), (orderId) => finance.refundedFor(orderId));
  const users = new UserDirectory(opts.dataDir, () => generateUsers(book.orders, seed));

  const app = Fastify({ logger: false });
  app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    return reply.code(status).send({ error: status < 500 ? 'bad_request' : 'internal_error', reason: err.message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'not_found', reason: `${req.method} ${req.url}` }));

  app.get('/', async () => ({
    name: 'ticketflow-sandbox',
    systems: { order: '/order', finance: '/finance', sms: '/sms', user: '/user' },
    seed: opts.seed ?? DEFAULT_SEED,
    orderCount: book.orders.length,
  }));
  app.get('/health', async () => ({ ok: true }));
  app.register(orderRoutes(book), { prefix: '/order' });
  app.register(financeRoutes(finance, book), { prefix: '/finance' });
  app.register(smsRoutes(sms), { prefix: '/sms' });
  app.register(userRoutes(users), { prefix: '/user' });
  return app;
}

export async function startSandbox(opts: SandboxOptions): Promise<RunningSandbox> {
  const host = opts.host ?? '127.0.0.1';
  const app = buildSandboxApp(opts);
  await app.listen({ port: opts.port ?? 3100, host });
  const { port } = app.server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  let closed: Promise<void> | null = null;
  return {
    url,
    orderApiUrl: `${url}/order`,
    financeApiUrl: `${url}/finance`,
    smsApiUrl: `${url}/sms`,
    userApiUrl: `${url}/user`,
    close: () => (closed ??= app.close()),
  };
}
