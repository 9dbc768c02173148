// The bundled sandbox (order system, finance, SMS gateway) on a free port for one test, and the
// orders most tests start from.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../../sandbox/index';
import { createOrderSystemClient } from '../../integrations/orders';
import type { Order } from '../../integrations/types';

export const SEED = 42;

export async function withSandbox(
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

export async function allOrders(baseUrl: string): Promise<Order[]> {
  const client = createOrderSystemClient(baseUrl);
  const { orders, total } = await client.listOrders({ limit: 1000 });
  if (orders.length !== total) throw new Error('pagination');
  return orders;
}

export async function paidOrder(orderApiUrl: string): Promise<Order> {
  const { orders } = await createOrderSystemClient(orderApiUrl).listOrders({ scenario: 'correct_bill', limit: 50 });
  return orders.find((o) => o.payments.length === 1 && o.total > 1000)!;
}
