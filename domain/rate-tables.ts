// The fare rules as the rate-table articles state them: each fare rate table carries a ```yaml rates block
// mapping a rule to its value per vehicle type (e.g. `waitingRatePerMinute: { minivan: 100, … }`). The sandbox
// order system bills with these and the fee analysis checks bills against them, so an editor changing the
// article changes both.
import type { VehicleType } from '../integrations/types';

export const VEHICLE_TYPES: readonly VehicleType[] = ['minivan', 'van', 'small_truck', 'medium_truck', 'large_truck'];

/** Fen amounts and minutes, per vehicle type. */
export interface FareRates {
  /** fen, covers includedKm */
  baseFare: number;
  includedKm: number;
  /** fen per started km beyond includedKm */
  perKm: number;
  freeWaitingMinutes: number;
  waitingRatePerMinute: number;
  crossCitySurcharge: number;
  nightSurcharge: number;
  cancellationFee: number;
  /** multiplier applied to toll prices */
  tollFactor: number;
}

/** The rate-table articles (pair ids) and the rules each one states. */
export const FARE_RATE_TABLES = {
  'fare-base': ['baseFare', 'includedKm', 'perKm'],
  'fare-cross-city': ['crossCitySurcharge'],
  'fare-waiting': ['freeWaitingMinutes', 'waitingRatePerMinute'],
  'fare-tolls': ['tollFactor'],
  'fare-night': ['nightSurcharge'],
  'fare-cancellation': ['cancellationFee'],
} as const satisfies Record<string, ReadonlyArray<keyof FareRates>>;
export type FareRateTable = keyof typeof FARE_RATE_TABLES;

/** One table's rules for one vehicle; throws naming the table, rule and vehicle when a number is missing. */
export function ratesOf<K extends keyof FareRates>(table: string, block: Record<string, unknown>, rules: readonly K[], vehicle: VehicleType): Pick<FareRates, K> {
  const out = {} as Pick<FareRates, K>;
  for (const rule of rules) {
    const value = (block[rule] as Record<string, unknown> | undefined)?.[vehicle];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`rate table ${table}: ${rule}.${vehicle} must be a non-negative number, got ${JSON.stringify(value)}`);
    out[rule] = value as FareRates[K];
  }
  return out;
}

/** Every vehicle's fare rules from the blocks of all fare rate tables. */
export function fareRulesFrom(blocks: Record<FareRateTable, Record<string, unknown>>): Record<VehicleType, FareRates> {
  const out = {} as Record<VehicleType, FareRates>;
  for (const vehicle of VEHICLE_TYPES) {
    let rules = {} as FareRates;
    for (const [table, keys] of Object.entries(FARE_RATE_TABLES) as Array<[FareRateTable, ReadonlyArray<keyof FareRates>]>) {
      rules = { ...rules, ...ratesOf(table, blocks[table], keys, vehicle) };
    }
    out[vehicle] = rules;
  }
  return out;
}

/** What the fee analysis needs of the waiting-fee table for one vehicle. */
export interface WaitingTariff {
  freeMinutes: number;
  ratePerMinute: number;
}

export function waitingTariffOf(block: Record<string, unknown>, vehicle: VehicleType): WaitingTariff {
  const r = ratesOf('fare-waiting', block, ['freeWaitingMinutes', 'waitingRatePerMinute'], vehicle);
  return { freeMinutes: r.freeWaitingMinutes, ratePerMinute: r.waitingRatePerMinute };
}
