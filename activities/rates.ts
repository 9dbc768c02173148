// Rates the money rules check bills against and compensate by, read from the knowledge base's rate-table articles
// in force when the order was booked: the one place an editor changes a rate.
import { lateBandsOf, type LateArrivalPolicy } from '../domain/late-arrival';
import { waitingTariffOf, type WaitingTariff } from '../domain/rate-tables';
import type { Order } from '../integrations/types';
import type { Database } from '../schema';
import { ratesInForce } from '../schema/kb-repository';
import type { SopDocument } from '../sops/types';

type PolicyValues = Record<string, number | string | boolean>;

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

/**
 * A ticket's policy: the SOP document's values, the values its `policyFrom` binds to rate tables read from the
 * tables in force at `at` (the ticket's start), and this environment's overrides, in that order of precedence
 * (an override beats the article, the article beats the document). A table that is missing, or lacks the key, or
 * holds a value of another type than the document's, leaves the document's value.
 */
export async function policyInForce(db: Database, document: SopDocument, at: Date, overrides: PolicyValues): Promise<PolicyValues> {
  const fromKb: PolicyValues = {};
  const tables = new Map<string, Promise<Record<string, unknown> | null>>();
  for (const [name, source] of Object.entries(document.policyFrom ?? {})) {
    if (!tables.has(source.article)) tables.set(source.article, ratesInForce(db, source.article, at));
    const value = (await tables.get(source.article))?.[source.key ?? name];
    const fallback = document.policy?.[name];
    if (typeof value === typeof fallback && (typeof value !== 'number' || Number.isFinite(value))) fromKb[name] = value as number | string | boolean;
  }
  return { ...document.policy, ...fromKb, ...overrides };
}
