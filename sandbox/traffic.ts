// Synthetic ticket traffic for the anomaly detection: Poisson arrivals per (category, region, app version)
// with a daily profile (quiet nights, morning and evening peaks), and optionally a release-induced surge
// of one key. Deterministic per seed. Used by test/anomaly.test.ts and bench/anomaly.bench.ts.
import { Prng } from './prng';

export interface TrafficKey {
  category: string;
  region: string;
  appVersion: string;
  /** mean tickets per day */
  perDay: number;
}

export interface Surge {
  category: string;
  region: string;
  appVersion: string;
  /** [from, to) in ms since the epoch */
  from: number;
  to: number;
  /** extra tickets per minute-slot on top of the normal traffic */
  extraPerSlot: number;
}

export interface SyntheticTicket {
  category: string;
  region: string;
  appVersion: string;
  createdAt: Date;
}

/** Slots of a day: arrivals are drawn per slot (a minute of a real day). */
export const SLOTS_PER_DAY = 1440;

/** Relative load by hour of day, mean 1: low at night, peaks at 9–11 and 19–21. */
const HOURLY = [0.25, 0.15, 0.1, 0.1, 0.15, 0.3, 0.6, 1.0, 1.4, 1.7, 1.7, 1.5, 1.3, 1.3, 1.3, 1.2, 1.2, 1.3, 1.5, 1.7, 1.6, 1.3, 0.9, 0.5];
const HOURLY_MEAN = HOURLY.reduce((a, b) => a + b, 0) / HOURLY.length;
export const loadAt = (fractionOfDay: number) => HOURLY[Math.min(23, Math.floor(fractionOfDay * 24))]! / HOURLY_MEAN;

export function poisson(rng: Prng, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(rng)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

function gaussian(rng: Prng): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** A key space like a mid-sized operation: categories × regions × app versions with uneven volumes. */
export function defaultTrafficKeys(scale = 1): TrafficKey[] {
  const categories: Array<[string, number]> = [['fee_dispute', 1.0], ['late_arrival', 0.8], ['app_technical', 0.5], ['cargo_damage', 0.3]];
  const regions: Array<[string, number]> = [['hangzhou', 1.0], ['shanghai', 1.4], ['beijing', 1.2]];
  const versions: Array<[string, number]> = [['5.1.0', 0.6], ['5.2.0', 0.4]];
  const keys: TrafficKey[] = [];
  for (const [category, c] of categories) for (const [region, r] of regions) for (const [appVersion, v] of versions) keys.push({ category, region, appVersion, perDay: Math.round(200 * c * r * v * scale) });
  return keys;
}

/**
 * Tickets over `days` days of `dayMs` each from `start` (a compressed day keeps the shape, slots shrink).
 * `noise` > 0 makes the traffic overdispersed like real traffic: each key's rate is multiplied by a log-normal
 * factor (sd of its log = noise) drawn anew every hour of the day.
 */
export function syntheticTraffic(opts: { seed: number; start: number; days: number; dayMs: number; keys: TrafficKey[]; surge?: Surge; noise?: number }): SyntheticTicket[] {
  const rng = new Prng(opts.seed);
  const slotMs = opts.dayMs / SLOTS_PER_DAY;
  const out: SyntheticTicket[] = [];
  const factors = opts.keys.map(() => 1);
  for (let slot = 0; slot < opts.days * SLOTS_PER_DAY; slot++) {
    const slotStart = opts.start + slot * slotMs;
    const load = loadAt((slot % SLOTS_PER_DAY) / SLOTS_PER_DAY);
    if (opts.noise && slot % 60 === 0) for (let i = 0; i < factors.length; i++) factors[i] = Math.exp(opts.noise * gaussian(rng) - (opts.noise * opts.noise) / 2);
    for (const [i, key] of opts.keys.entries()) {
      const surge = opts.surge && opts.surge.category === key.category && opts.surge.region === key.region && opts.surge.appVersion === key.appVersion && slotStart >= opts.surge.from && slotStart < opts.surge.to;
      const n = poisson(rng, (key.perDay / SLOTS_PER_DAY) * load * factors[i]! + (surge ? opts.surge!.extraPerSlot : 0));
      for (let i = 0; i < n; i++) out.push({ category: key.category, region: key.region, appVersion: key.appVersion, createdAt: new Date(Math.floor(slotStart + rng.next() * slotMs)) });
    }
  }
  return out;
}
