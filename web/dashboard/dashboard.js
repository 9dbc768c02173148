// The operations dashboard (/dashboard): supervisors log in and see headline numbers, volume over time,
// breakdowns, backlog, the funnel of an SOP's steps with versions compared and the slowest step in red,
// and the open anomaly alerts. Polls the metrics API (every 30 s; ?refresh=<ms> changes it).
import { api, bindLoginForm, session } from '/shared/api.js';
import { createStaffI18n } from '/shared/i18n.js';
import { backlogOption, breakdownOption, dimensionOption, funnelOption, stepTimeOption, timeseriesOption } from '/dashboard/charts.js';

const i18n = createStaffI18n({
  title: ['运营看板', 'Operations dashboard'],
  loginTitle: ['主管登录', 'Supervisor login'],
  forbidden: ['只有主管和管理员可以查看看板', 'Only supervisors and admins can see the dashboard'],
  range: ['时间范围', 'Range'],
  last24h: ['最近 24 小时', 'Last 24 hours'],
  last7d: ['最近 7 天', 'Last 7 days'],
  last30d: ['最近 30 天', 'Last 30 days'],
  last90d: ['最近 90 天', 'Last 90 days'],
  type: ['工单类型', 'Type'],
  group: ['技能组', 'Group'],
  region: ['地区', 'Region'],
  channel: ['渠道', 'Channel'],
  appVersion: ['App 版本', 'App version'],
  apply: ['应用', 'Apply'],
  exportCsv: ['导出 CSV', 'Export CSV'],
  volume: ['工单量', 'Tickets'],
  firstResponse: ['首次响应中位数', 'First response (median)'],
  handling: ['处理时长 中位/P90', 'Handling median / p90'],
  sla: ['SLA 达成率', 'SLA attainment'],
  escalation: ['升级率', 'Escalation rate'],
  reopen: ['二次处理率', 'Reopen rate'],
  satisfaction: ['满意度 / 差评占比', 'Satisfaction / low share'],
  volumeOverTime: ['工单量趋势', 'Tickets over time'],
  breakdown: ['按类型与技能组', 'By type and group'],
  byDimension: ['按所选维度合计', 'Totals by the chosen dimension'],
  backlog: ['各队列积压', 'Backlog per queue'],
  alerts: ['异常预警', 'Anomaly alerts'],
  noAlerts: ['暂无预警', 'No alerts'],
  funnel: ['SOP 步骤漏斗', 'SOP step funnel'],
  versions: ['版本对比', 'Compare versions'],
  entered: ['进入次数', 'Entered'],
  medianMinutes: ['步骤内中位时长(分钟)', 'Median minutes in step'],
  handlingMedian: ['处理时长中位数(分钟)', 'Handling median (min)'],
  minutes: ['分钟', 'minutes'],
  total: ['合计', 'Total'],
  bottleneck: ['瓶颈步骤', 'Bottleneck'],
  noRatings: ['暂无评价', 'no ratings yet'],
  updated: ['更新于', 'Updated'],
  error: ['加载失败', 'Failed to load'],
});

const $ = (id) => document.getElementById(id);
const chartEl = (name) => document.querySelector(`[data-testid=chart-${name}]`);
const charts = {};
const REFRESH_MS = Number(new URLSearchParams(location.search).get('refresh')) || 30_000;
const last = {};

function chart(name, option) {
  charts[name] ??= globalThis.echarts.init(chartEl(name));
  charts[name].setOption(option, true);
  chartEl(name).dataset.series = String(option.series.reduce((n, s) => n + s.data.filter((d) => (typeof d === 'object' && d ? d.value : d)).length, 0));
}

function filterParams() {
  const days = Number($('range').value);
  const to = new Date(Date.now() + 60_000);
  const params = new URLSearchParams({ from: new Date(to.getTime() - days * 86_400_000).toISOString(), to: to.toISOString() });
  for (const key of ['type', 'group', 'region', 'channel', 'appVersion']) {
    const value = $(`f-${key}`).value.trim();
    if (value) params.set(key, value);
  }
  return params;
}

const min = (v) => (v === null || v === undefined ? '—' : `${v} min`);
const pct = (v) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);

function showKpis(totals) {
  const set = (testid, text) => void (document.querySelector(`[data-testid=${testid}]`).textContent = text);
  set('kpi-volume', String(totals.volume));
  set('kpi-first-response', min(totals.firstResponseMinutes.median));
  set('kpi-handling', `${min(totals.handlingMinutes.median)} / ${min(totals.handlingMinutes.p90)}`);
  set('kpi-sla', pct(totals.slaAttainment));
  set('kpi-escalation', pct(totals.escalationRate));
  set('kpi-reopen', pct(totals.reopenRate));
  const s = totals.satisfaction;
  set('kpi-satisfaction', s.ratings ? `${s.average} / ${pct(s.lowShare)}` : i18n.t('noRatings'));
}

function showAlerts(status, body) {
  const tbody = document.querySelector('[data-testid=alerts] tbody');
  tbody.replaceChildren();
  const items = status === 200 ? body.items : [];
  if (!items.length) {
    const tr = tbody.insertRow();
    tr.dataset.testid = 'alerts-empty';
    tr.insertCell().textContent = i18n.t('noAlerts');
    return;
  }
  for (const a of items) {
    const tr = tbody.insertRow();
    tr.dataset.testid = `alert-${a.id}`;
    for (const text of [a.category, a.region ?? '—', a.appVersion ?? '—', a.openedAt.slice(0, 16).replace('T', ' '), `${a.observed} / ${a.expected}`, a.clearedAt ? '✓' : '●', a.ticketId ?? '']) tr.insertCell().textContent = String(text);
  }
}

async function loadSops() {
  const { status, body } = await api('GET', '/v1/sops');
  if (status !== 200) return;
  const select = $('sop');
  const current = select.value;
  select.replaceChildren(...body.filter((s) => s.type !== 'review').map((s) => new Option(`${s.type} (v${s.latestVersion})`, s.type)));
  select.value = current || (body.some((s) => s.type === 'fee_dispute') ? 'fee_dispute' : body[0]?.type ?? '');
}

async function refresh() {
  const params = filterParams();
  const funnelParams = new URLSearchParams(params);
  funnelParams.set('sop', $('sop').value || 'fee_dispute');
  if ($('versions').value.trim()) funnelParams.set('versions', $('versions').value.replace(/\s/g, ''));
  const [overview, series, funnel, alerts] = await Promise.all([
    api('GET', `/v1/metrics/overview?${params}`),
    api('GET', `/v1/metrics/timeseries?${params}&by=${$('by').value}`),
    api('GET', `/v1/metrics/funnel?${funnelParams}`),
    api('GET', '/v1/alerts?state=open'),
  ]);
  if (overview.status === 401) return show(false);
  if (overview.status === 403) return void ($('status').textContent = i18n.t('forbidden'));
  const failed = [overview, series, funnel].find((a) => a.status !== 200);
  $('status').textContent = failed ? `${i18n.t('error')}: ${failed.body?.message ?? failed.status}` : '';
  if (failed) return;
  Object.assign(last, { overview: overview.body, series: series.body, funnel: funnel.body, alerts, at: new Date() });
  const stamp = document.querySelector('[data-testid=updated-at]');
  stamp.dataset.refreshes = String(Number(stamp.dataset.refreshes ?? 0) + 1);
  render();
}

function render() {
  if (!last.overview) return;
  const t = i18n.t;
  showKpis(last.overview.totals);
  chart('timeseries', timeseriesOption(last.series.points, t));
  chart('dimension', dimensionOption(last.series.points, t));
  chart('breakdown', breakdownOption(last.overview.byTypeAndGroup, t));
  chart('backlog', backlogOption(last.overview.backlog));
  chart('funnel', funnelOption(last.funnel.versions, t));
  chart('steptime', stepTimeOption(last.funnel.versions, t));
  const slowest = last.funnel.versions.map((v) => [v.version, v.steps.find((s) => s.bottleneck)]).filter(([, s]) => s);
  const hint = document.querySelector('[data-testid=bottleneck]');
  hint.textContent = slowest.map(([v, s]) => `${t('bottleneck')} v${v}: ${s.step} (${s.medianMinutes} min)`).join(' · ');
  hint.dataset.steps = slowest.map(([v, s]) => `${v}:${s.step}`).join(',');
  showAlerts(last.alerts.status, last.alerts.body);
  // rendered here, not in refresh: a language switch re-renders the stamp too
  document.querySelector('[data-testid=updated-at]').textContent = `${t('updated')} ${last.at.toLocaleTimeString(i18n.lang === 'zh' ? 'zh-CN' : 'en-US')}`;
}

let timer = null;
async function show(loggedIn) {
  $('login').hidden = loggedIn;
  $('board').hidden = !loggedIn;
  clearInterval(timer);
  if (!loggedIn) return;
  await loadSops();
  await refresh();
  timer = setInterval(refresh, REFRESH_MS);
}

bindLoginForm(i18n, () => show(true));
// the export needs the session's bearer token, which a plain link cannot send: fetch it and hand the file over
$('csv-overview').addEventListener('click', async (event) => {
  event.preventDefault();
  const response = await fetch(`/v1/metrics/tickets?${filterParams()}&format=csv`, { headers: { authorization: `Bearer ${session.token()}` } });
  if (!response.ok) return void ($('status').textContent = `${i18n.t('error')}: ${response.status}`);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await response.blob());
  link.download = 'tickets.csv';
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
});
$('filters').addEventListener('submit', (event) => {
  event.preventDefault();
  refresh();
});
for (const id of ['by', 'sop', 'range']) $(id).addEventListener('change', refresh);
$('versions').addEventListener('change', refresh);
$('lang-toggle').addEventListener('click', () => {
  i18n.toggle();
  $('lang-toggle').textContent = i18n.lang === 'zh' ? 'EN' : '中文';
  render();
});
window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));

i18n.apply();
$('lang-toggle').textContent = i18n.lang === 'zh' ? 'EN' : '中文';
show(Boolean(session.token()));
