// Unit tests of the fee-dispute analysis and solution policy over every seeded sandbox scenario.
import test from 'ava';
import { analyzeDispute, describeSolution, matchSolution } from '../domain/fee-dispute';
import { lateArrivalCompensation } from '../domain/late-arrival';
import type { Order, OrderScenario } from '../integrations/types';
import { generateOrders } from '../sandbox';

const orders = generateOrders(7, 400);
const policy = { autoRefundLimitFen: 50_000, lateThresholdMinutes: 30, lateCompensationCouponFen: 2_000, goodwillCouponFen: 1_000, couponValidDays: 30 };
const of = (scenario: OrderScenario) => orders.filter((o) => o.scenario === scenario);
const sum = (o: Order, code: string) => o.fees.filter((f) => f.code === code).reduce((s, f) => s + f.amount, 0);
const noClaim = { namedItems: [], amountsFen: [] };

test('a correct bill has no findings and gets an explanation (a goodwill coupon for vip users)', (t) => {
  for (const order of of('correct_bill')) {
    const analysis = analyzeDispute(order, { namedItems: ['waiting_fee'], amountsFen: [5_000] });
    t.deepEqual(analysis.findings, [], order.id);
    t.is(analysis.claimedFen, 5_000);
    if (analysis.driverLateMinutes < policy.lateThresholdMinutes) {
      t.is(matchSolution(analysis, 'standard', policy).kind, 'explanation');
      t.like(matchSolution(analysis, 'vip', policy), { kind: 'coupon', amountFen: 1_000 });
    }
  }
});

test('an overcharged waiting fee is found to the fen and refunded', (t) => {
  const cases = of('waiting_fee_overcharged');
  t.true(cases.length > 10);
  for (const order of cases) {
    const { freeMinutes, actualMinutes, ratePerMinute } = order.waiting;
    const expected = Math.max(0, actualMinutes - freeMinutes) * ratePerMinute;
    const analysis = analyzeDispute(order, { namedItems: ['waiting_fee'], amountsFen: [] });
    t.is(analysis.findings.length, 1, order.id);
    t.like(analysis.findings[0], { item: 'waiting_fee', charged: sum(order, 'waiting_fee'), expected, overcharge: sum(order, 'waiting_fee') - expected });
    t.deepEqual(matchSolution(analysis, 'standard', policy), { kind: 'refund', amountFen: analysis.totalOverchargeFen, reason: analysis.findings[0]!.reason, cause: 'overcharge' });
  }
});

test('a cross-city surcharge on a same-city trip is refunded whole', (t) => {
  for (const order of of('wrongful_cross_city_surcharge')) {
    t.is(order.origin.city, order.destination.city);
    const analysis = analyzeDispute(order, noClaim);
    t.like(analysis.findings[0], { item: 'cross_city_surcharge', overcharge: sum(order, 'cross_city_surcharge') });
    t.is(analysis.totalOverchargeFen, sum(order, 'cross_city_surcharge'));
  }
});

test('a toll charged twice for one passage refunds exactly one passage', (t) => {
  for (const order of of('double_charged_toll')) {
    const seen = new Set<string>();
    const duplicate = order.tolls.find((p) => seen.size === seen.add(`${p.gate}@${p.at}`).size)!;
    const analysis = analyzeDispute(order, { namedItems: ['toll'], amountsFen: [] });
    t.like(analysis.findings[0], { item: 'toll', overcharge: duplicate.amount }, order.id);
  }
});

test('a double payment refunds the second payment', (t) => {
  for (const order of of('double_payment')) {
    const analysis = analyzeDispute(order, noClaim);
    t.like(analysis.findings[0], { item: 'payment', overcharge: order.total });
  }
});

test('a late driver on a correct bill earns the compensation coupon', (t) => {
  for (const order of of('late_arrival')) {
    const analysis = analyzeDispute(order, noClaim);
    t.deepEqual(analysis.findings, []);
    t.true(analysis.driverLateMinutes >= 30, order.id);
    t.like(matchSolution(analysis, 'standard', policy), { kind: 'coupon', amountFen: 2_000, validDays: policy.couponValidDays });
  }
});

test('a refund above the automatic limit goes to manual review', (t) => {
  const order = of('double_payment')[0]!;
  const analysis = analyzeDispute(order, noClaim);
  const solution = matchSolution(analysis, 'standard', { ...policy, autoRefundLimitFen: analysis.totalOverchargeFen - 1 });
  t.is(solution.kind, 'manual_review');
});

test('the message to the user is in their language and names the amount', (t) => {
  const order = of('waiting_fee_overcharged')[0]!;
  const analysis = analyzeDispute(order, noClaim);
  const solution = matchSolution(analysis, 'standard', policy);
  const amount = `¥${(analysis.totalOverchargeFen / 100).toFixed(2)}`;
  t.regex(describeSolution(solution, analysis, order, 'zh'), new RegExp(`退还${amount.replace('.', '\\.')}`));
  t.regex(describeSolution(solution, analysis, order, 'en'), new RegExp(`refund \\${amount}`));
});

test('late-arrival compensation follows the delay bands', (t) => {
  const bands = { lateBand30Fen: 1_000, lateBand60Fen: 2_000, lateBand120Fen: 5_000, couponValidDays: 30 };
  for (const order of of('late_arrival')) {
    const { lateMinutes, solution, message } = lateArrivalCompensation(order, 'zh', bands);
    const expected = lateMinutes >= 120 ? 5_000 : lateMinutes >= 60 ? 2_000 : lateMinutes >= 30 ? 1_000 : 0;
    if (expected) t.like(solution, { kind: 'coupon', amountFen: expected });
    else t.is(solution.kind, 'explanation');
    t.true(message.includes(order.id));
  }
  const onTime = of('correct_bill').find((o) => o.times.driverArrivedAt && Date.parse(o.times.driverArrivedAt) <= Date.parse(o.times.promisedPickupAt))!;
  t.is(lateArrivalCompensation(onTime, 'en', bands).solution.kind, 'explanation');
});

test('an overcharge already refunded is not refunded again', (t) => {
  const order = of('waiting_fee_overcharged')[0]!;
  const overcharge = analyzeDispute(order, noClaim).totalOverchargeFen;
  const refunded = { ...order, payments: order.payments.map((p, i) => (i === 0 ? { ...p, refundedAmount: overcharge } : p)) };
  const analysis = analyzeDispute(refunded, noClaim);
  t.is(analysis.alreadyRefundedFen, overcharge);
  t.is(analysis.refundDueFen, 0);
  t.is(matchSolution(analysis, 'standard', policy).kind, 'explanation');
  const partly = { ...order, payments: order.payments.map((p, i) => (i === 0 ? { ...p, refundedAmount: 100 } : p)) };
  t.like(matchSolution(analyzeDispute(partly, noClaim), 'standard', policy), { kind: 'refund', amountFen: overcharge - 100 });
});
