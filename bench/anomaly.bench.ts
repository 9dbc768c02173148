// The anomaly detection's false-alarm rate and detection delay on synthetic traffic (sandbox/traffic.ts),
// with the production settings (15-minute windows, a run every 5 minutes, 8 rolling windows, 7 days back):
// the same decisions as the activity (domain/anomaly.ts detect) over in-memory counts instead of SQL.
//   npx tsx bench/anomaly.bench.ts [--days 28] [--trials 40] [--noise 0,0.3,0.5] [--params '{"maxShape":10}']
// Prints a Markdown table for docs/ANALYTICS.md.
import { parseArgs } from 'node:util';
import { DEFAULT_ANOMALY_PARAMS, detect, keyOf, type AnomalyParams, type Counts } from '../domain/anomaly';
import { Prng } from '../sandbox/prng';
import { defaultTrafficKeys, syntheticTraffic, type Surge, type TrafficKey } from '../sandbox/traffic';

const { values } = parseArgs({ options: { days: { type: 'string', default: '28' }, trials: { type: 'string', default: '40' }, 'max-shape': { type: 'string' }, params: { type: 'string', default: '{}' }, noise: { type: 'string', default: '0,0.3,0.5' } } });
const DAY = 86_400_000;
const SLOT = 60_000;
const STEP = 5 * SLOT;
const params: AnomalyParams = { ...DEFAULT_ANOMALY_PARAMS, ...(values['max-shape'] ? { maxShape: Number(values['max-shape']) } : {}), ...JSON.parse(values.params) };
const noises = values.noise.split(',').map(Number);
const WARMUP_DAYS = params.seasonalDays;

/** Per-minute counts per key with prefix sums: a range's count is two lookups. */
function index(keys: TrafficKey[], start: number, days: number, surge?: Surge, seed = 1, noise = 0) {
  const slots = (days * DAY) / SLOT;
  const prefix = new Map<string, Int32Array>();
  for (const k of keys) prefix.set(keyOf(k), new Int32Array(slots + 1));
  for (const t of syntheticTraffic({ seed, start, days, dayMs: DAY, keys, surge, noise })) prefix.get(keyOf(t))![Math.floor((t.createdAt.getTime() - start) / SLOT) + 1]!++;
  for (const p of prefix.values()) for (let i = 1; i <= slots; i++) p[i]! += p[i - 1]!;
  const clamp = (ms: number) => Math.min(slots, Math.max(0, Math.round((ms - start) / SLOT)));
  const count = (ranges: Array<{ start: number; end: number }>): Counts => {
    const out: Counts = new Map();
    for (const [key, p] of prefix) {
      let n = 0;
      for (const r of ranges) n += p[clamp(r.end)]! - p[clamp(r.start)]!;
      if (n) out.set(key, n);
    }
    return out;
  };
  return { count };
}

interface Opened {
  key: string;
  at: number;
}

/** Runs the detection every STEP over [from, to), keeping open alerts as the activity does. */
function run(count: ReturnType<typeof index>['count'], start: number, from: number, to: number): Opened[] {
  const opened: Opened[] = [];
  const open: Array<{ id: string; key: string; openedAt: number }> = [];
  const known = (s: number) => s >= start;
  for (let at = from; at < to; at += STEP) {
    const current = { start: at - params.windowMs, end: at };
    const rolling = { start: current.start - params.baselineWindows * params.windowMs, end: current.start };
    const seasonal = Array.from({ length: params.seasonalDays }, (_, i) => ({ start: current.start - (i + 1) * params.seasonMs, end: current.end - (i + 1) * params.seasonMs })).filter((w) => known(w.start));
    const decided = detect(
      {
        current: count([current]),
        rolling: { counts: count([rolling]), windows: known(rolling.start) ? params.baselineWindows : 0 },
        seasonal: { counts: count(seasonal), windows: seasonal.length },
        open: open.map((a) => {
          const before = a.openedAt - params.windowMs;
          return { id: a.id, key: a.key, rolling: { total: count([{ start: before - params.baselineWindows * params.windowMs, end: before }]).get(a.key) ?? 0, windows: params.baselineWindows } };
        }),
      },
      params,
    );
    for (const o of decided.toOpen) {
      opened.push({ key: o.key, at });
      open.push({ id: `${o.key}@${at}`, key: o.key, openedAt: at });
    }
    for (const c of decided.toClear) open.splice(open.findIndex((a) => a.id === c.id), 1);
  }
  return opened;
}

const days = Number(values.days);
const trials = Number(values.trials);
const start = Date.parse('2026-01-05T00:00:00Z');
console.log(`${JSON.stringify(params)}\n`);
console.log(`| traffic | hourly noise (sd of log rate) | tickets/day | days | runs | false alarms | per day |\n|---|---|---|---|---|---|---|`);
for (const noise of noises) {
  for (const scale of [1, 4, 10]) {
    const keys = defaultTrafficKeys(scale);
    const perDay = keys.reduce((s, k) => s + k.perDay, 0);
    const { count } = index(keys, start, WARMUP_DAYS + days, undefined, scale, noise);
    const alarms = run(count, start, start + WARMUP_DAYS * DAY, start + (WARMUP_DAYS + days) * DAY);
    console.log(`| scale ${scale} | ${noise} | ${perDay} | ${days} | ${(days * DAY) / STEP} | ${alarms.length} | ${(alarms.length / days).toFixed(3)} |`);
  }
}

console.log(`\n| hourly noise | surge (extra tickets / 15 min) | trials | detected | within one window | median delay (min) |\n|---|---|---|---|---|---|`);
const keys = defaultTrafficKeys(4);
for (const noise of noises) for (const extraPerWindow of [10, 15, 30, 60]) {
  const rng = new Prng(extraPerWindow);
  let detected = 0;
  let withinWindow = 0;
  const delays: number[] = [];
  for (let trial = 0; trial < trials; trial++) {
    const target = rng.pick(keys);
    // an hour-long surge starting at a random 5-minute mark of the day after the warm-up
    const from = start + WARMUP_DAYS * DAY + rng.int(0, 287 - 12) * STEP;
    const surge: Surge = { category: target.category, region: target.region, appVersion: target.appVersion, from, to: from + 3_600_000, extraPerSlot: extraPerWindow / 15 };
    const { count } = index(keys, start, WARMUP_DAYS + 1, surge, 1_000 + trial, noise);
    const hit = run(count, start, from - 3_600_000, from + 2 * 3_600_000).find((o) => o.key === keyOf(target) && o.at > from);
    if (!hit) continue;
    detected++;
    if (hit.at - from <= params.windowMs) withinWindow++;
    delays.push((hit.at - from) / SLOT);
  }
  delays.sort((a, b) => a - b);
  console.log(`| ${noise} | ${extraPerWindow} | ${trials} | ${detected} | ${withinWindow} | ${delays.length ? delays[Math.floor(delays.length / 2)] : '—'} |`);
}
