import test from 'ava';
import { extractEntities, maskPhones, parseChineseNumber } from '../nlp/entities';

test('chinese numerals', (t) => {
  t.is(parseChineseNumber('两'), 2);
  t.is(parseChineseNumber('十五'), 15);
  t.is(parseChineseNumber('一百二十'), 120);
  t.is(parseChineseNumber('一百零五'), 105);
  t.is(parseChineseNumber('两千五'), 2500);
  t.is(parseChineseNumber('一万二千'), 12000);
});

test('money mentions (zh + en)', (t) => {
  const e = extractEntities('多收了¥50，又收了五十元，3.5元，三块五，50块，一百二十元');
  t.deepEqual(e.amounts.map((a) => a.fen), [5000, 5000, 350, 350, 5000, 12000]);
  t.is(e.amounts[0]!.text, '¥50');
  const en = extractEntities('charged me RMB 50 and $7.5, plus 20 yuan');
  t.deepEqual(en.amounts.map((a) => a.fen), [5000, 750, 2000]);
  t.is(en.amounts[1]!.currency, 'USD');
  const fw = extractEntities('收了２０元');
  t.is(fw.amounts[0]!.fen, 2000);
  t.is(fw.amounts[0]!.text, '２０元');
});

test('durations', (t) => {
  const e = extractEntities('司机迟到两个小时，等了40分钟，又等了半小时，一个半小时，两个多小时');
  t.deepEqual(e.durations.map((d) => d.minutes), [120, 40, 30, 90, 120]);
  const en = extractEntities('The driver was 2 hours late, then 45 mins, half an hour, two hours late');
  t.deepEqual(en.durations.map((d) => d.minutes), [120, 45, 30, 120]);
  t.is(en.durations[0]!.text, '2 hours');
  t.is(en.durations[0]!.start, 15);
});

test('order ids', (t) => {
  t.deepEqual(extractEntities('订单ORD-123456有问题').orderIds, ['ORD-123456']);
  t.deepEqual(extractEntities('订单号：20231105889 司机没来').orderIds, ['20231105889']);
  t.deepEqual(extractEntities('order no. 5566778 and order #889900').orderIds, ['5566778', '889900']);
});

test('phones are masked and never confused with order ids or money', (t) => {
  const e = extractEntities('司机电话13812345678，订单号13900001111，收了50元');
  t.deepEqual(e.phones, ['138****5678']);
  t.deepEqual(e.orderIds, ['13900001111']);
  t.deepEqual(e.amounts.map((a) => a.fen), [5000]);
  t.is(maskPhones('call 13812345678 or 139-1234-5678'), 'call 138****5678 or 139****5678');
});

test('fee items in order of first mention, unique', (t) => {
  const e = extractEntities('乱收等候费，还有过路费和跨城附加费，等候费又收一次，起步价也不对');
  t.deepEqual(e.feeItems, ['waiting_fee', 'toll', 'cross_city_surcharge', 'base_fare']);
  const en = extractEntities('They added a cancellation fee and a waiting fee, and my coupon was not applied');
  t.deepEqual(en.feeItems, ['cancellation_fee', 'waiting_fee', 'coupon']);
  t.deepEqual(extractEntities('违约金扣了20元，搬运费，夜间费，里程费').feeItems, ['cancellation_fee', 'porterage', 'night_surcharge', 'distance_fee']);
});

test('never crashes on emoji / odd input', (t) => {
  const e = extractEntities('😡😡😡 ¥ 💰 order # 🚚');
  t.deepEqual(e.amounts, []);
  t.deepEqual(extractEntities('').orderIds, []);
});
