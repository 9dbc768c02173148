// Rate tables as data: the sandbox bills with the bundled fare tables, a pair's zh and en texts must carry the
// same numbers, and the late-arrival SOP's fallback bands (used only without a table in force, see docs/KB.md)
// equal the bundled table's.
import test from 'ava';
import { checkRatePairs, bundledArticles, bundledRates } from '../kb/files';
import { FARE_RATE_TABLES } from '../domain/rate-tables';
import { FARE_RULES } from '../sandbox/catalog';
import { loadDefaultSops } from '../sops/load';

test('the sandbox fare rules are the numbers of the fare rate tables in force', (t) => {
  const at = new Date('2026-10-01T00:00:00+08:00');
  for (const [table, rules] of Object.entries(FARE_RATE_TABLES)) {
    const block = bundledRates(table, at) as Record<string, Record<string, number>>;
    for (const rule of rules) for (const [vehicle, fare] of Object.entries(FARE_RULES)) t.is(fare[rule], block[rule]![vehicle], `${table} ${rule} ${vehicle}`);
  }
  // the cross-city table has a 2025 version: the sandbox's orders (October 2026) use the 2026 one
  t.is((bundledRates('fare-cross-city', new Date('2025-06-01')) as Record<string, Record<string, number>>).crossCitySurcharge!.minivan, 2500);
  t.is(FARE_RULES.minivan.crossCitySurcharge, 3000);
});

test('a rate table whose zh and en texts disagree is refused', (t) => {
  const [zh] = bundledArticles().filter((a) => a.articleId === 'fare-waiting-zh');
  const en = bundledArticles().find((a) => a.articleId === 'fare-waiting-en')!;
  t.notThrows(() => checkRatePairs([zh!, en]));
  const edited = { ...en, body: en.body.replace('waitingRatePerMinute: { minivan: 100,', 'waitingRatePerMinute: { minivan: 90,') };
  t.not(edited.body, en.body);
  t.throws(() => checkRatePairs([zh!, edited]), { message: /fare-waiting .*different rates blocks/ });
});

test('the late-arrival SOP\'s fallback bands are the bundled late-compensation table\'s', (t) => {
  const policy = loadDefaultSops().find((d) => d.type === 'late_arrival')!.policy as Record<string, number>;
  const bands = bundledRates('late-compensation');
  for (const key of ['lateBand30Fen', 'lateBand60Fen', 'lateBand120Fen', 'couponValidDays']) t.is(bands[key], policy[key], key);
});
