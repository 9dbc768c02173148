// ECharts options for the dashboard, built from the metrics API's answers (pure: data in, option out).
// The slowest step of each SOP version is drawn in red.
const BOTTLENECK = '#d92d20';
const PALETTE = ['#2563eb', '#16a34a', '#f59e0b', '#9333ea', '#0891b2', '#db2777', '#65a30d', '#ea580c'];

const base = { color: PALETTE, tooltip: { trigger: 'axis' }, grid: { left: 48, right: 16, top: 32, bottom: 40 } };

/** points [{ t, key, tickets }] → one line per key over time */
export function timeseriesOption(points, t) {
  const buckets = [...new Set(points.map((p) => p.t))].sort();
  const keys = [...new Set(points.map((p) => p.key ?? t('total')))];
  const count = new Map(points.map((p) => [`${p.t}|${p.key ?? t('total')}`, p.tickets]));
  return {
    ...base,
    legend: { type: 'scroll', top: 0 },
    xAxis: { type: 'category', data: buckets.map((b) => b.slice(0, 16).replace('T', ' ')) },
    yAxis: { type: 'value', minInterval: 1 },
    series: keys.map((key) => ({ name: key, type: 'line', smooth: true, data: buckets.map((b) => count.get(`${b}|${key}`) ?? 0) })),
  };
}

/** points of the time series → total tickets per value of its dimension, largest first (at most 20 bars) */
export function dimensionOption(points, t) {
  const totals = new Map();
  for (const p of points) totals.set(p.key ?? t('total'), (totals.get(p.key ?? t('total')) ?? 0) + p.tickets);
  const top = [...totals].sort((a, b) => b[1] - a[1]).slice(0, 20);
  return {
    ...base,
    grid: { ...base.grid, bottom: 60 },
    xAxis: { type: 'category', data: top.map(([k]) => k), axisLabel: { rotate: 30, fontSize: 10 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ name: t('volume'), type: 'bar', data: top.map(([, n]) => n) }],
  };
}

/** rows of the overview per type and group → volume bars and handling median (minutes) */
export function breakdownOption(rows, t) {
  const labels = rows.map((r) => `${r.type} / ${r.group}`);
  return {
    ...base,
    legend: { top: 0 },
    grid: { ...base.grid, bottom: 80 },
    xAxis: { type: 'category', data: labels, axisLabel: { rotate: 30, fontSize: 10 } },
    yAxis: [{ type: 'value', name: t('volume'), minInterval: 1 }, { type: 'value', name: t('minutes') }],
    series: [
      { name: t('volume'), type: 'bar', data: rows.map((r) => r.volume) },
      { name: t('handlingMedian'), type: 'line', yAxisIndex: 1, data: rows.map((r) => r.handlingMinutes.median) },
    ],
  };
}

/** backlog [{ group, status, tickets }] → stacked bars per queue */
export function backlogOption(rows) {
  const groups = [...new Set(rows.map((r) => r.group))];
  const statuses = [...new Set(rows.map((r) => r.status))];
  const n = new Map(rows.map((r) => [`${r.group}|${r.status}`, r.tickets]));
  return {
    ...base,
    legend: { top: 0 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: groups },
    grid: { ...base.grid, left: 140 },
    series: statuses.map((s) => ({ name: s, type: 'bar', stack: 'backlog', data: groups.map((g) => n.get(`${g}|${s}`) ?? 0) })),
  };
}

/** the steps of all compared versions, in the order of the first version that has them */
function stepOrder(versions) {
  const order = [];
  for (const v of versions) for (const s of v.steps) if (!order.includes(s.step)) order.push(s.step);
  return order;
}

const barOf = (s, value) => (s ? { value, itemStyle: s.bottleneck ? { color: BOTTLENECK } : undefined } : 0);

/** funnel: visits entered per step, one bar series per version (versions side by side) */
export function funnelOption(versions, t) {
  const steps = stepOrder(versions);
  return {
    ...base,
    legend: { top: 0 },
    grid: { ...base.grid, left: 170 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', name: t('entered'), minInterval: 1 },
    yAxis: { type: 'category', inverse: true, data: steps },
    series: versions.map((v) => {
      const byStep = new Map(v.steps.map((s) => [s.step, s]));
      return { name: `v${v.version} (${v.tickets})`, type: 'bar', data: steps.map((id) => barOf(byStep.get(id), byStep.get(id)?.entered ?? 0)) };
    }),
  };
}

/** median minutes in each step per version; the bottleneck in red */
export function stepTimeOption(versions, t) {
  const steps = stepOrder(versions);
  return {
    ...base,
    legend: { top: 0 },
    grid: { ...base.grid, bottom: 80 },
    xAxis: { type: 'category', data: steps, axisLabel: { rotate: 30, fontSize: 10 } },
    yAxis: { type: 'value', name: t('medianMinutes') },
    series: versions.map((v) => {
      const byStep = new Map(v.steps.map((s) => [s.step, s]));
      return { name: `v${v.version}`, type: 'bar', data: steps.map((id) => barOf(byStep.get(id), byStep.get(id)?.medianMinutes ?? 0)) };
    }),
  };
}
