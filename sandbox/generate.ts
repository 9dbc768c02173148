// Deterministic seeded order generator: same seed + count => byte-identical orders.
import type { FeeItem, FeeCode, Order, OrderScenario, Payment, Place, TollPassage, VehicleType } from '../integrations/types';
import { BUILDINGS, CITIES, FARE_RULES, FEE_LABELS, TOLL_GATES, VEHICLE_WEIGHTS, type City } from './catalog';
import { Prng } from './prng';

export const SCENARIOS: OrderScenario[] = [
  'correct_bill',
  'waiting_fee_overcharged',
  'wrongful_cross_city_surcharge',
  'double_charged_toll',
  'double_payment',
  'late_arrival',
  'driver_no_show',
  'cancelled_with_fee',
];

export const DEFAULT_SEED = 20261001;
export const DEFAULT_ORDER_COUNT = 300;

/** 2026-10-01 00:00 Beijing time; all orders are booked within ~50 days after it. */
const BASE_TIME = Date.parse('2026-10-01T00:00:00+08:00');
const MIN = 60_000;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function fee(code: FeeCode, amount: number, detail?: string): FeeItem {
  const item: FeeItem = { code, ...FEE_LABELS[code], amount };
  if (detail !== undefined) item.detail = detail;
  return item;
}

function haversineKm(a: City, b: City): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

function place(rng: Prng, city: City): Place {
  const district = rng.pick(city.districts);
  const street = rng.pick(district.streets);
  const building = rng.pick(BUILDINGS);
  return { city: city.name, district: district.name, address: `${street}${rng.int(1, 888)}号${building}` };
}

function pickVehicle(rng: Prng): VehicleType {
  const total = VEHICLE_WEIGHTS.reduce((s, [, w]) => s + w, 0);
  let r = rng.next() * total;
  for (const [v, w] of VEHICLE_WEIGHTS) {
    r -= w;
    if (r < 0) return v;
  }
  return 'van';
}

interface Person {
  id: string;
  phone: string;
}

function makeUsers(rng: Prng, n: number): Person[] {
  const seen = new Set<string>();
  const users: Person[] = [];
  const prefixes = ['138', '139', '158', '159', '186', '187', '136', '177', '135', '189'];
  while (users.length < n) {
    const id = `U-${rng.int(100000, 999999)}`;
    if (seen.has(id)) continue;
    seen.add(id);
    users.push({ id, phone: `${rng.pick(prefixes)}${String(rng.int(0, 99_999_999)).padStart(8, '0')}` });
  }
  return users;
}

function makeDrivers(rng: Prng, n: number): string[] {
  const seen = new Set<string>();
  while (seen.size < n) seen.add(`D-${rng.int(10000, 99999)}`);
  return [...seen];
}

function assignScenarios(rng: Prng, count: number): OrderScenario[] {
  const special = SCENARIOS.filter((s) => s !== 'correct_bill');
  const per = Math.min(Math.max(1, Math.round(count * 0.075)), Math.floor(count / SCENARIOS.length));
  const list: OrderScenario[] = [];
  for (const s of special) for (let i = 0; i < per; i++) list.push(s);
  while (list.length < count) list.push('correct_bill');
  return rng.shuffle(list);
}

export function generateOrders(seed: number = DEFAULT_SEED, count: number = DEFAULT_ORDER_COUNT): Order[] {
  const rng = new Prng(seed);
  const users = makeUsers(rng, Math.max(1, Math.round(count * 0.55)));
  const frequent = users.slice(0, Math.max(1, Math.round(users.length * 0.15)));
  const drivers = makeDrivers(rng, Math.max(1, Math.round(count * 0.35)));
  const scenarios = assignScenarios(rng, count);
  const orders: Order[] = [];
  let bookedAt = BASE_TIME;
  let paymentSeq = 0;
  for (let i = 0; i < count; i++) {
    bookedAt += rng.int(20, 460) * MIN;
    const user = rng.chance(0.35) ? rng.pick(frequent) : rng.pick(users);
    const driverId = rng.pick(drivers);
    const order = buildOrder(rng, {
      id: `ORD-${100001 + i}`,
      scenario: scenarios[i]!,
      user,
      driverId,
      bookedAt,
      nextPaymentId: () => `PAY-${String(700001 + paymentSeq++)}`,
    });
    orders.push(order);
  }
  return orders;
}

interface BuildCtx {
  id: string;
  scenario: OrderScenario;
  user: Person;
  driverId: string;
  bookedAt: number;
  nextPaymentId: () => string;
}

function buildOrder(rng: Prng, ctx: BuildCtx): Order {
  const { scenario } = ctx;
  const vehicleType = pickVehicle(rng);
  const rule = FARE_RULES[vehicleType];
  const cancelled = scenario === 'driver_no_show' || scenario === 'cancelled_with_fee';

  // --- route
  const originCity = rng.pick(CITIES);
  const neighbours = CITIES.filter((c) => c.region === originCity.region && c.name !== originCity.name);
  let crossCity: boolean;
  if (cancelled || scenario === 'wrongful_cross_city_surcharge' || neighbours.length === 0) crossCity = false;
  else if (scenario === 'double_charged_toll') crossCity = rng.chance(0.6);
  else crossCity = rng.chance(0.28);
  const destCity = crossCity ? rng.pick(neighbours) : originCity;
  const origin = place(rng, originCity);
  let destination = place(rng, destCity);
  if (!crossCity && destination.address === origin.address) destination = place(rng, destCity);
  const distanceKm = crossCity
    ? Math.round(haversineKm(originCity, destCity) * (1.2 + rng.next() * 0.25) * 10) / 10
    : rng.int(30, 450) / 10;

  // --- times
  const promisedPickup = ctx.bookedAt + (rng.chance(0.6) ? rng.int(4, 18) * 5 : rng.int(36, 576) * 5) * MIN;
  const arrivalOffset = scenario === 'late_arrival' ? rng.int(30, 180) : rng.int(-12, 12);
  const driverArrived = scenario === 'driver_no_show' ? null : promisedPickup + arrivalOffset * MIN + rng.int(0, 59) * 1000;
  const free = rule.freeWaitingMinutes;
  let actualMinutes: number;
  switch (scenario) {
    case 'waiting_fee_overcharged':
      actualMinutes = free + rng.int(3, 30);
      break;
    case 'cancelled_with_fee':
      actualMinutes = rng.int(2, free - 2);
      break;
    case 'driver_no_show':
      actualMinutes = 0;
      break;
    case 'late_arrival':
      actualMinutes = rng.chance(0.15) ? free + rng.int(1, 20) : rng.int(0, free);
      break;
    default:
      actualMinutes = rng.chance(0.35) ? free + rng.int(1, 45) : rng.int(0, free);
  }
  const pickedUp = cancelled || driverArrived === null ? null : driverArrived + actualMinutes * MIN;
  const travelMinutes = Math.round((distanceKm / rule.speedKmh) * 60) + rng.int(5, 25);
  const delivered = pickedUp === null ? null : pickedUp + travelMinutes * MIN;

  // --- tolls
  const tolls: TollPassage[] = [];
  if (!cancelled && pickedUp !== null) {
    let n = 0;
    if (crossCity) n = rng.int(1, 2);
    else if (distanceKm > 20 && rng.chance(0.35)) n = 1;
    if (scenario === 'double_charged_toll' && n === 0) n = 1;
    const gates = rng.shuffle([...TOLL_GATES[originCity.region]]).slice(0, n);
    gates.forEach((gate, k) => {
      const at = pickedUp + Math.round(((k + 1) / (n + 1)) * travelMinutes) * MIN;
      const amount = Math.round((rng.int(10, 90) * 50 * rule.tollFactor) / 10) * 10;
      tolls.push({ gate, at: iso(at), amount });
    });
  }

  // --- fees
  const fees: FeeItem[] = [];
  let cancellation: Order['cancellation'];
  if (scenario === 'driver_no_show') {
    cancellation = {
      at: iso(promisedPickup + rng.int(20, 60) * MIN),
      by: 'system',
      reason: 'Driver did not arrive; cancelled without charge / 司机未到达，系统取消，不收费',
    };
  } else if (scenario === 'cancelled_with_fee') {
    cancellation = {
      at: iso(driverArrived! + actualMinutes * MIN),
      by: 'user',
      reason: 'User cancelled after the driver arrived / 司机到达后用户取消',
    };
    fees.push(fee('cancellation_fee', rule.cancellationFee));
  } else {
    fees.push(fee('base_fare', rule.baseFare, `含${rule.includedKm}公里 / incl. ${rule.includedKm} km`));
    const extraKm = Math.max(0, Math.ceil(distanceKm) - rule.includedKm);
    if (extraKm > 0) fees.push(fee('distance_fee', extraKm * rule.perKm, `${extraKm} km`));
    if (crossCity || scenario === 'wrongful_cross_city_surcharge') {
      fees.push(fee('cross_city_surcharge', rule.crossCitySurcharge));
    }
    if (actualMinutes > free) {
      let billed = actualMinutes - free;
      if (scenario === 'waiting_fee_overcharged') billed += rng.int(10, 25);
      fees.push(fee('waiting_fee', billed * rule.waitingRatePerMinute, String(billed)));
    }
    for (const t of tolls) fees.push(fee('toll', t.amount, t.gate));
    if (scenario === 'double_charged_toll') {
      const dup = tolls[0]!;
      tolls.splice(1, 0, { ...dup });
      const idx = fees.findIndex((f) => f.code === 'toll');
      fees.splice(idx + 1, 0, fee('toll', dup.amount, dup.gate));
    }
    const bjHour = (new Date(promisedPickup).getUTCHours() + 8) % 24;
    if (bjHour >= 22 || bjHour < 6) fees.push(fee('night_surcharge', rule.nightSurcharge));
    if (rng.chance(0.2)) {
      const floors = rng.int(1, 6);
      fees.push(fee('porterage', floors * 1000 * Math.ceil(rule.tollFactor), `${floors}层 / ${floors} floors`));
    }
    if (rng.chance(0.2)) {
      const subtotal = fees.reduce((s, f) => s + f.amount, 0);
      const value = Math.min(rng.int(3, 20) * 100, subtotal - 1000);
      if (value > 0) fees.push(fee('coupon', -value, `CPN-${rng.int(1000, 9999)}`));
    }
  }
  const total = fees.reduce((s, f) => s + f.amount, 0);

  // --- payments
  const payments: Payment[] = [];
  const paidAt = (delivered ?? (cancellation ? Date.parse(cancellation.at) : promisedPickup)) + rng.int(1, 10) * MIN;
  const method = (): Payment['method'] => rng.pick(['wechat', 'wechat', 'alipay', 'alipay', 'card', 'balance'] as const);
  if (total > 0) {
    if (scenario === 'double_payment') {
      const m = method();
      payments.push({ id: ctx.nextPaymentId(), method: m, amount: total, status: 'captured', at: iso(paidAt) });
      payments.push({ id: ctx.nextPaymentId(), method: rng.chance(0.5) ? m : method(), amount: total, status: 'captured', at: iso(paidAt + rng.int(2, 90) * 1000) });
    } else if (total > 2000 && rng.chance(0.1)) {
      const fromBalance = rng.int(1, Math.floor(total / 100) - 1) * 100;
      payments.push({ id: ctx.nextPaymentId(), method: 'balance', amount: fromBalance, status: 'captured', at: iso(paidAt) });
      payments.push({ id: ctx.nextPaymentId(), method: rng.pick(['wechat', 'alipay', 'card'] as const), amount: total - fromBalance, status: 'captured', at: iso(paidAt + 1000) });
    } else {
      payments.push({ id: ctx.nextPaymentId(), method: method(), amount: total, status: 'captured', at: iso(paidAt) });
    }
  }

  const order: Order = {
    id: ctx.id,
    userId: ctx.user.id,
    driverId: ctx.driverId,
    vehicleType,
    status: cancelled ? 'cancelled' : 'completed',
    origin,
    destination,
    distanceKm,
    times: {
      bookedAt: iso(ctx.bookedAt),
      promisedPickupAt: iso(promisedPickup),
      driverArrivedAt: driverArrived === null ? null : iso(driverArrived),
      pickedUpAt: pickedUp === null ? null : iso(pickedUp),
      deliveredAt: delivered === null ? null : iso(delivered),
    },
    waiting: { freeMinutes: free, actualMinutes, ratePerMinute: rule.waitingRatePerMinute },
    tolls,
    fees,
    total,
    payments,
    scenario,
    userPhone: ctx.user.phone,
  };
  if (cancellation) order.cancellation = cancellation;
  return order;
}
