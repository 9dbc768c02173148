// Anomaly detection, the pure part: is a window's ticket count for one (category, region, app version)
// far above what its history predicts? The baseline is a Gamma-Poisson model (docs/ANALYTICS.md): the
// counts of earlier windows give a posterior for the rate, and the next window's count follows the
// posterior predictive, a negative binomial. Its upper tail probability is the test; few windows of
// history widen the predictive, so a young key needs a bigger jump to alert.

/** The detection's settings (config/index.ts `anomaly`, passed by the schedule to the workflow). */
export interface AnomalyParams {
  /** length of the window whose count is tested */
  windowMs: number;
  /** rolling baseline: this many windows right before the tested one (before the alert, while one is open) */
  baselineWindows: number;
  /** seasonal baseline: the same window this many seasons (days) back */
  seasonalDays: number;
  /** one season; a day unless a test compresses time */
  seasonMs: number;
  /** a baseline with fewer windows of history than this is not trusted: no alert */
  minBaselineWindows: number;
  /** fewer tickets than this in the window never alert, whatever the baseline */
  minCount: number;
  /** the count must also be at least this many times the expected count */
  minRatio: number;
  /** alert when the tail probability is below this (one test per key and run: kept very small) */
  alertPValue: number;
  /**
   * the key's (category, region) over all app versions must be above its own baseline at this looser level:
   * users moving to a new version shift tickets between keys, a release-induced surge adds tickets
   */
  parentPValue: number;
  /**
   * Real rates wander hour to hour beyond Poisson noise (overdispersion): the rate's Gamma is never trusted more
   * than a Gamma of this shape (its coefficient of variation at least 1/sqrt(maxShape)), however long the history.
   * 5 covers rates that vary by about ±45% (docs/ANALYTICS.md measures it).
   */
  maxShape: number;
  /** an open alert clears when its key's window is this probable again under its pre-alert baseline */
  clearPValue: number;
}

export const DEFAULT_ANOMALY_PARAMS: AnomalyParams = {
  windowMs: 15 * 60_000,
  baselineWindows: 8,
  seasonalDays: 7,
  seasonMs: 24 * 3_600_000,
  minBaselineWindows: 4,
  minCount: 10,
  minRatio: 3,
  alertPValue: 1e-6,
  parentPValue: 0.01,
  maxShape: 5,
  clearPValue: 0.01,
};

/** The weak prior of every rate: Gamma(shape 1, rate 1), one ticket per window, worth one window of data. */
const PRIOR_SHAPE = 1;
const PRIOR_RATE = 1;

/** A baseline: `total` tickets over `windows` windows of history. */
export interface Baseline {
  total: number;
  windows: number;
}

/** Where the window's count lands against one baseline. */
export interface Assessment {
  expected: number;
  /** P(X >= observed) under the posterior predictive */
  pValue: number;
  /** -log10 pValue, capped at 300 */
  score: number;
}

// Lanczos approximation (g = 7, n = 9): accurate to ~15 digits for x > 0
const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = LANCZOS[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * P(X >= k) for X ~ NegBin with shape r and success probability q = rate/(rate+1), i.e. the predictive
 * of a Poisson count whose rate has a Gamma(r, rate) posterior. Summed upward from k (precise in the tail).
 */
export function negBinUpperTail(k: number, shape: number, rate: number): number {
  if (k <= 0) return 1;
  const logQ = Math.log(rate / (rate + 1));
  const log1mQ = Math.log(1 / (rate + 1));
  let term = Math.exp(logGamma(shape + k) - logGamma(shape) - logGamma(k + 1) + shape * logQ + k * log1mQ);
  let sum = 0;
  for (let x = k; x < k + 100_000; x++) {
    sum += term;
    const next = term * ((shape + x) / (x + 1)) * (1 / (rate + 1));
    if (next < sum * 1e-16 || next === 0) break;
    term = next;
  }
  return Math.min(1, sum);
}

export function assess(observed: number, baseline: Baseline, maxShape = Infinity): Assessment {
  let shape = PRIOR_SHAPE + baseline.total;
  let rate = PRIOR_RATE + baseline.windows;
  // the same mean, a wider spread: the cap on how sure a long history makes us
  if (shape > maxShape) [shape, rate] = [maxShape, (rate * maxShape) / shape];
  const pValue = negBinUpperTail(observed, shape, rate);
  return { expected: shape / rate, pValue, score: Math.min(300, -Math.log10(Math.max(pValue, 1e-300))) };
}

/**
 * The stricter of the rolling and the seasonal baseline: a count is anomalous only if it is far above both
 * the recent level and the same time on earlier days (a daily peak is not an anomaly, nor is a slow rise).
 * A baseline with too little history is left out; with neither there is no verdict (null).
 */
export function assessAgainst(observed: number, baselines: Baseline[], params: Pick<AnomalyParams, 'minBaselineWindows' | 'maxShape'>): Assessment | null {
  const usable = baselines.filter((b) => b.windows >= params.minBaselineWindows);
  if (!usable.length) return null;
  return usable.map((b) => assess(observed, b, params.maxShape)).reduce((a, b) => (b.pValue > a.pValue ? b : a));
}

/** The alerting rule: enough tickets, a big enough ratio, and a tiny tail probability. */
export function isAnomalous(observed: number, assessment: Assessment | null, params: Pick<AnomalyParams, 'minCount' | 'minRatio' | 'alertPValue'>): assessment is Assessment {
  return !!assessment && observed >= params.minCount && observed >= params.minRatio * assessment.expected && assessment.pValue < params.alertPValue;
}

/** An open alert clears once its key's count is ordinary again against the baseline from before it opened. */
export function hasCleared(observed: number, assessment: Assessment | null, params: Pick<AnomalyParams, 'clearPValue'>): boolean {
  return !assessment || assessment.pValue >= params.clearPValue;
}

/** The alert's key: one per (category, region, app version); an absent part is ''. */
export interface AnomalyKey {
  category: string;
  region: string | null;
  appVersion: string | null;
}
export const keyOf = (k: AnomalyKey) => `${k.category}|${k.region ?? ''}|${k.appVersion ?? ''}`;
export function parseKey(key: string): AnomalyKey {
  const [category = '', region = '', appVersion = ''] = key.split('|');
  return { category, region: region || null, appVersion: appVersion || null };
}

/** A window [start, end). */
export interface Window {
  start: number;
  end: number;
}

/** The tested window ending at `at`, and where its baselines come from. */
export function windowsAt(at: number, params: AnomalyParams): { current: Window; rolling: (before: number) => Window; seasonal: Window[] } {
  const current = { start: at - params.windowMs, end: at };
  return {
    current,
    /** the rolling baseline: baselineWindows windows ending at `before` (the tested window's start, or the alert's) */
    rolling: (before) => ({ start: before - params.baselineWindows * params.windowMs, end: before }),
    seasonal: Array.from({ length: params.seasonalDays }, (_, i) => ({ start: current.start - (i + 1) * params.seasonMs, end: current.end - (i + 1) * params.seasonMs })),
  };
}

/** Windows of a range that lie after the data horizon (the first ticket ever): earlier ones are unknown, not zero. */
export function windowsKnown(range: Window, windowMs: number, horizon: number | null): number {
  if (horizon === null) return 0;
  const whole = Math.round((range.end - range.start) / windowMs);
  const unknown = Math.ceil(Math.max(0, horizon - range.start) / windowMs);
  return Math.max(0, whole - unknown);
}

/** Ticket counts per key (keyOf) over some range. */
export type Counts = Map<string, number>;

/** The (category, region) of a key, over every app version. */
export const parentOf = (key: string) => key.slice(0, key.lastIndexOf('|'));
export function parentTotals(counts: Counts): Counts {
  const totals: Counts = new Map();
  for (const [key, n] of counts) totals.set(parentOf(key), (totals.get(parentOf(key)) ?? 0) + n);
  return totals;
}

/** One run's figures: the window's counts and the baselines', each with how many windows of history it holds. */
export interface DetectionInput {
  current: Counts;
  rolling: { counts: Counts; windows: number };
  seasonal: { counts: Counts; windows: number };
  /** open alerts, each with its rolling baseline from before it opened */
  open: Array<{ id: string; key: string; rolling: { total: number; windows: number } }>;
}

export interface Detection {
  /** keys tested for a new alert (enough tickets, no open alert) */
  tested: number;
  toOpen: Array<{ key: string; observed: number; assessment: Assessment }>;
  toClear: Array<{ id: string; observed: number }>;
  ongoing: Array<{ id: string; observed: number }>;
}

/**
 * The decisions of one run. A key alerts when its count is anomalous against both baselines and its
 * (category, region) total is elevated too; an open alert is tested against its pre-alert baseline and
 * the same seasonal one, so a long surge never becomes its own normal.
 */
export function detect(input: DetectionInput, params: AnomalyParams): Detection {
  const { current, rolling, seasonal } = input;
  const parents = { current: parentTotals(current), rolling: parentTotals(rolling.counts), seasonal: parentTotals(seasonal.counts) };
  const baselines = (key: string, counts: { rolling: Counts; seasonal: Counts }): Baseline[] => [
    { total: counts.rolling.get(key) ?? 0, windows: rolling.windows },
    { total: counts.seasonal.get(key) ?? 0, windows: seasonal.windows },
  ];
  const openKeys = new Set(input.open.map((a) => a.key));
  const result: Detection = { tested: 0, toOpen: [], toClear: [], ongoing: [] };
  for (const [key, observed] of current) {
    if (observed < params.minCount || openKeys.has(key)) continue;
    result.tested++;
    const verdict = assessAgainst(observed, baselines(key, { rolling: rolling.counts, seasonal: seasonal.counts }), params);
    if (!isAnomalous(observed, verdict, params)) continue;
    const parent = parentOf(key);
    const parentVerdict = assessAgainst(parents.current.get(parent) ?? 0, baselines(parent, parents), params);
    if (!parentVerdict || parentVerdict.pValue >= params.parentPValue) continue;
    result.toOpen.push({ key, observed, assessment: verdict });
  }
  for (const alert of input.open) {
    const observed = current.get(alert.key) ?? 0;
    const verdict = assessAgainst(observed, [alert.rolling, { total: seasonal.counts.get(alert.key) ?? 0, windows: seasonal.windows }], params);
    (hasCleared(observed, verdict, params) ? result.toClear : result.ongoing).push({ id: alert.id, observed });
  }
  return result;
}
