// The pure money policy: allowances per cause, what one payment may add, the n-th payment key.
import test from 'ava';
import { driverLateMinutes } from '../domain/fee-dispute';
import { allowanceFen, amountToPay, capturedFen, causeOfSolution, causeOfSop, lateCompensationFen, paymentKey } from '../domain/money-policy';
import { generateOrders } from '../sandbox';
import { loadDefaultSops } from '../sops/load';

const orders = generateOrders(7, 200);
const policyOf = (type: string) => loadDefaultSops().find((d) => d.type === type)!.policy as Record<string, number>;
const late = policyOf('late_arrival');
const fee = policyOf('fee_dispute');

test('late arrival: the band of the delay; the fee-dispute SOP: its single threshold', (t) => {
  t.is(lateCompensationFen(29, late), 0);
  t.is(lateCompensationFen(30, late), late.lateBand30Fen!);
  t.is(lateCompensationFen(59, late), late.lateBand30Fen!);
  t.is(lateCompensationFen(60, late), late.lateBand60Fen!);
  t.is(lateCompensationFen(120, late), late.lateBand120Fen!);
  t.is(lateCompensationFen(fee.lateThresholdMinutes! - 1, fee), 0);
  t.is(lateCompensationFen(fee.lateThresholdMinutes!, fee), fee.lateCompensationCouponFen!);
  const order = orders.find((o) => o.scenario === 'late_arrival')!;
  t.is(allowanceFen('late_arrival', order, late, 'policy'), lateCompensationFen(driverLateMinutes(order), late));
});

test('overcharge: the analysed overcharge of the bill, not shrunk by refunds made since', (t) => {
  const order = orders.find((o) => o.scenario === 'double_payment')!;
  t.is(allowanceFen('overcharge', order, {}, 'policy'), order.total);
  const refunded = { ...order, payments: order.payments.map((p, i) => (i === 0 ? { ...p, status: 'refunded' as const, refundedAmount: p.amount } : p)) };
  t.is(allowanceFen('overcharge', refunded, {}, 'policy'), order.total);
  t.is(allowanceFen('overcharge', orders.find((o) => o.scenario === 'correct_bill')!, {}, 'policy'), 0);
});

test("a person's decision: refunds up to what the order paid, coupons up to its total; claims and apologies only by people", (t) => {
  const order = orders.find((o) => o.scenario === 'double_payment')!;
  t.is(allowanceFen('overcharge', order, {}, 'agent'), capturedFen(order));
  t.is(capturedFen(order), 2 * order.total);
  t.is(allowanceFen('cargo_claim', order, {}, 'agent'), capturedFen(order));
  t.is(allowanceFen('goodwill', order, fee, 'agent'), order.total);
  t.is(allowanceFen('cargo_claim', order, {}, 'policy'), 0);
  t.is(allowanceFen('goodwill', order, fee, 'policy'), fee.goodwillCouponFen!);
});

test('one payment adds only what is missing: a policy up to its allowance, a person up to the total decided', (t) => {
  t.is(amountToPay({ requestedFen: 2_000, allowanceFen: 2_000, paidFen: 0, by: 'policy' }), 2_000);
  t.is(amountToPay({ requestedFen: 2_000, allowanceFen: 2_000, paidFen: 2_000, by: 'policy' }), 0);
  t.is(amountToPay({ requestedFen: 5_000, allowanceFen: 5_000, paidFen: 2_000, by: 'policy' }), 3_000);
  t.is(amountToPay({ requestedFen: 1_000, allowanceFen: 3_000, paidFen: 1_000, by: 'policy' }), 1_000);
  t.is(amountToPay({ requestedFen: 9_000, allowanceFen: 3_000, paidFen: 0, by: 'policy' }), 3_000);
  t.is(amountToPay({ requestedFen: 1_500, allowanceFen: 10_000, paidFen: 1_000, by: 'agent' }), 500);
  t.is(amountToPay({ requestedFen: 1_000, allowanceFen: 10_000, paidFen: 1_000, by: 'agent' }), 0);
  t.is(amountToPay({ requestedFen: 800, allowanceFen: 10_000, paidFen: 1_000, by: 'agent' }), 0);
});

test('the key names the order, the cause and the n-th payment; the cause of a decision follows the SOP', (t) => {
  t.is(paymentKey('ORD-100001', 'late_arrival', 1), 'money:ORD-100001:late_arrival:1');
  t.deepEqual(
    ['fee_dispute', 'cargo_damage', 'cargo_loss'].map((s) => causeOfSop(s, 'refund')),
    ['overcharge', 'cargo_claim', 'cargo_claim'],
  );
  t.deepEqual(
    ['late_arrival', 'attitude', 'fee_dispute'].map((s) => causeOfSop(s, 'coupon')),
    ['late_arrival', 'apology', 'goodwill'],
  );
});

test("a solution's cause: its own, or for older solutions the kind, the SOP and the fee-dispute late coupon's reason", (t) => {
  t.is(causeOfSolution({ kind: 'coupon', amountFen: 1, validDays: 1, reason: 'x', cause: 'goodwill' }, 'late_arrival'), 'goodwill');
  t.is(causeOfSolution({ kind: 'coupon', amountFen: 1, validDays: 1, reason: 'bill is correct; compensation for a driver 40 min late' }, 'fee_dispute'), 'late_arrival');
  t.is(causeOfSolution({ kind: 'coupon', amountFen: 1, validDays: 1, reason: 'bill is correct; goodwill coupon for a vip user' }, 'fee_dispute'), 'goodwill');
  t.is(causeOfSolution({ kind: 'refund', amountFen: 1, reason: 'x' }, 'fee_dispute'), 'overcharge');
  t.is(causeOfSolution({ kind: 'explanation', reason: 'x' }, 'fee_dispute'), null);
});
