// Rates the money rules check bills against, read from the knowledge base's rate-table articles in force when
// the order was booked: the one place an editor changes a rate.
import { waitingTariffOf, type WaitingTariff } from '../domain/rate-tables';
import type { Order } from '../integrations/types';
import type { Database } from '../schema';
import { ratesInForce } from '../schema/kb-repository';

/** The waiting-fee tariff of the order's vehicle in force at its booking; null (the order's own record counts) without a table. */
export async function waitingTariffFor(db: Database, order: Order): Promise<WaitingTariff | null> {
  const booked = Date.parse(order.times?.bookedAt ?? '');
  const block = await ratesInForce(db, 'fare-waiting', Number.isNaN(booked) ? new Date() : new Date(booked));
  return block ? waitingTariffOf(block, order.vehicleType) : null;
}
