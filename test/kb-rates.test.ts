// Rate tables as data: the sandbox bills with the bundled fare tables, a pair's zh and en texts must carry the
// same numbers, and the SOP policy values bound to rate tables (policyFrom) name real tables and keys, with
// fallbacks (used only without a table in force, see docs/KB.md) equal to the bundled values.
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

test('every policyFrom binding of the bundled SOPs names a bundled rate table holding that key, with a value of the fallback\'s type', (t) => {
  const bindings = loadDefaultSops().flatMap((d) => Object.entries(d.policyFrom ?? {}).map(([name, source]) => ({ sop: d.type, name, ...source, fallback: d.policy![name] })));
  // the two SOPs whose money limits the workflow reads are bound: the fee dispute's thresholds and the late-arrival ceiling
  t.deepEqual([...new Set(bindings.map((b) => `${b.sop}→${b.article}`))].sort(), ['fee_dispute→fee-dispute-limits', 'late_arrival→late-compensation']);
  t.true(bindings.some((b) => b.sop === 'fee_dispute' && b.name === 'autoRefundLimitFen'));
  t.true(bindings.some((b) => b.sop === 'late_arrival' && b.name === 'lateBand120Fen'));
  for (const b of bindings) {
    const value = bundledRates(b.article)[b.key ?? b.name];
    t.is(typeof value, typeof b.fallback, `${b.sop}.${b.name} ← ${b.article}`);
    // the fallback counts only in a knowledge base without the table (an empty database, an old export): it should
    // then behave as the bundled table does
    t.is(value, b.fallback, `${b.sop}.${b.name}: the SOP's fallback differs from the bundled ${b.article}`);
  }
});
