// Rates the money rules check bills against and compensate by, read from the knowledge base's rate-table articles
// in force when the order was booked: the one place an editor changes a rate.
import { lateBandsOf, type LateArrivalPolicy } from '../domain/late-arrival';
import { waitingTariffOf, type WaitingTariff } from '../domain/rate-tables';
import type { Order } from '../integrations/types';
import type { Database } from '../schema';
import { ratesInForce } from '../schema/kb-repository';

/** The waiting-fee tariff of the order's vehicle in force at its booking; null (the order's own record counts) without a table. */
export async function waitingTariffFor(db: Database, order: Order): Promise<WaitingTariff | null> {
  const block = await ratesInForce(db, 'fare-waiting', bookedAt(order));
  return block ? waitingTariffOf(block, order.vehicleType) : null;
}

/** The late-arrival compensation bands in force at the order's booking; null without a table (the SOP policy's copy counts). */
export async function lateBandsFor(db: Database, order: Order): Promise<LateArrivalPolicy | null> {
  const block = await ratesInForce(db, 'late-compensation', bookedAt(order));
  return block ? lateBandsOf(block) : null;
}

/**
 * A policy with the bands replaced by the table's, when the policy is one that compensates by bands (the late-arrival
 * SOP's). The fee-dispute SOP's single late coupon (lateThresholdMinutes) is its own rule and stays.
 */
export function withLateBands(policy: Record<string, unknown>, bands: LateArrivalPolicy | null): Record<string, unknown> {
  return bands && 'lateBand30Fen' in policy ? { ...policy, ...bands } : policy;
}

function bookedAt(order: Order): Date {
  const booked = Date.parse(order.times?.bookedAt ?? '');
  return Number.isNaN(booked) ? new Date() : new Date(booked);
}
