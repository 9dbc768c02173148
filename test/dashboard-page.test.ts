// The operations dashboard (/dashboard) in a real headless Chromium against the real API and workflows:
// a supervisor logs in and sees the headline numbers the API reports, charts drawn with data (read back
// from the ECharts instances), the funnel's slowest step in red, the empty alerts list, a live update
// when a ticket arrives, and the page in English. Screenshots are kept in docs/img for review.
import path from 'node:path';
import test from 'ava';
import type { Browser } from 'playwright-core';
import { projectRoot } from '../config';
import { launchChromium, openPage as openPageIn } from './helpers/browser';
import { startTestStack, type TestStack } from './helpers/stack';
import { api, confirm, orderOf, postTicket, waitForStatus } from './helpers/tickets';

const SCREENSHOT = path.join(projectRoot, 'docs', 'img', 'dashboard.png');
const SCREENSHOT_EN = path.join(projectRoot, 'docs', 'img', 'dashboard-en.png');

let stack: TestStack;
let browser: Browser;
let baseUrl: string;
const password = 'dashboards for everyone';
const used = new Set<string>();

async function feeTicket(region: string) {
  const order = await orderOf(stack, 'waiting_fee_overcharged', (o) => !used.has(o.id));
  used.add(order.id);
  const created = await postTicket(stack, { text: '等候费多收了,我明明只等了一会儿', orderId: order.id, userId: order.userId, region, appVersion: '5.2.0' });
  const id = created.body.tickets[0].id as string;
  await waitForStatus(stack, id, 'awaiting_confirmation');
  return id;
}

test.before(async () => {
  stack = await startTestStack({ policy: { confirmationTimeout: 60_000 } });
  baseUrl = await stack.app.listen({ port: 0, host: '127.0.0.1' });
  for (const [id, role] of [['dash-sup', 'supervisor'], ['dash-agent', 'agent']] as const) {
    const created = await api(stack, 'POST', '/v1/staff', { payload: { id, username: id, password, role }, as: stack.auth.admin });
    if (created.status !== 201) throw new Error(`staff: ${created.status} ${JSON.stringify(created.body)}`);
  }
  const [accepted] = await Promise.all([feeTicket('north'), feeTicket('south')]);
  await confirm(stack, accepted, { accepted: true });
  await waitForStatus(stack, accepted, 'closed');
  browser = await launchChromium();
});

test.after.always(async () => {
  await browser?.close();
  await stack?.close();
});

// the alerts route belongs to the anomaly detection; until it exists the list answers 404 and shows its empty state
const openPage = () => openPageIn(browser, `${baseUrl}/dashboard?refresh=500`, { viewport: { width: 1400, height: 1300 }, expectedErrors: /status of (401|403|404)/ });

async function logIn(page: Awaited<ReturnType<typeof openPage>>['page'], username: string) {
  await page.getByTestId('login-form').waitFor();
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

test.serial('the page, its scripts and echarts come from our origin under a CSP that runs only own scripts', async (t) => {
  for (const url of ['/dashboard', '/dashboard/dashboard.js', '/dashboard/charts.js', '/dashboard/dashboard.css', '/vendor/echarts.min.js']) t.is((await fetch(baseUrl + url)).status, 200, url);
  t.regex((await fetch(`${baseUrl}/dashboard`)).headers.get('content-security-policy') ?? '', /script-src 'self'(;|$)/);
});

test.serial('a supervisor sees the numbers of the API, charts with data, the bottleneck in red, no alerts; the board updates live', async (t) => {
  const { page, problems } = await openPage();
  await logIn(page, 'dash-sup');
  await page.locator('[data-testid=updated-at][data-refreshes]').waitFor();
  t.is(await page.getByTestId('kpi-volume').innerText(), '2');
  t.is(await page.getByTestId('kpi-escalation').innerText(), '0.0%');
  t.is(await page.getByTestId('kpi-satisfaction').innerText(), '暂无评价', 'no ratings: shown as absent');

  const seriesLengths = await page.evaluate(() =>
    Object.fromEntries(
      ['timeseries', 'dimension', 'breakdown', 'backlog', 'funnel', 'steptime'].map((name) => {
        const chart = (globalThis as any).echarts.getInstanceByDom((globalThis as any).document.querySelector(`[data-testid=chart-${name}]`));
        return [name, chart.getOption().series.map((s: { data: unknown[] }) => s.data.length)];
      }),
    ),
  );
  const api7d = await api(stack, 'GET', '/v1/metrics/funnel?sop=fee_dispute', { as: stack.auth.admin });
  const steps = api7d.body.versions[0].steps.length;
  t.deepEqual(seriesLengths, { timeseries: [1], dimension: [1], breakdown: [1, 1], backlog: [1], funnel: [steps], steptime: [steps] });
  const red = await page.evaluate(() => {
    const chart = (globalThis as any).echarts.getInstanceByDom((globalThis as any).document.querySelector('[data-testid=chart-funnel]'));
    const data = chart.getOption().series[0].data as Array<{ itemStyle?: { color?: string } }>;
    return data.map((d, i) => (d?.itemStyle?.color ? i : -1)).filter((i) => i >= 0);
  });
  const slowest = api7d.body.versions[0].steps.findIndex((s: { bottleneck: boolean }) => s.bottleneck);
  t.deepEqual(red, [slowest], 'the slowest step, and only it, is red');
  t.is(await page.getByTestId('bottleneck').getAttribute('data-steps'), `${api7d.body.versions[0].version}:${api7d.body.versions[0].steps[slowest].step}`);
  await page.getByTestId('alerts-empty').waitFor();
  t.is(await page.getByTestId('alerts-empty').innerText(), '暂无预警');
  await page.screenshot({ path: SCREENSHOT, fullPage: true });

  // a new ticket shows up without reloading
  await feeTicket('north');
  await page.getByTestId('kpi-volume').filter({ hasText: /^3$/ }).waitFor({ timeout: 20_000 });
  await page.getByTestId('timeseries-by').selectOption('region');
  await page.locator('[data-testid=chart-dimension][data-series="2"]').waitFor();
  const byRegion = await page.evaluate(() => {
    const option = (globalThis as any).echarts.getInstanceByDom((globalThis as any).document.querySelector('[data-testid=chart-dimension]')).getOption();
    return { keys: option.xAxis[0].data, counts: option.series[0].data };
  });
  t.deepEqual(byRegion, { keys: ['north', 'south'], counts: [2, 1] });
  await page.getByTestId('filter-region').fill('south');
  await page.getByTestId('filters-apply').click();
  await page.getByTestId('kpi-volume').filter({ hasText: /^1$/ }).waitFor();

  await page.getByTestId('lang-toggle').click();
  await page.getByTestId('kpi-satisfaction').filter({ hasText: 'no ratings yet' }).waitFor();
  t.is(await page.locator('h1').innerText(), 'Operations dashboard');
  t.regex(await page.getByTestId('updated-at').innerText(), /^Updated /, 'the refresh stamp follows the language too');
  await page.screenshot({ path: SCREENSHOT_EN, fullPage: true });
  t.deepEqual(problems, []);
});

test.serial('an agent is told the dashboard is for supervisors', async (t) => {
  const { page } = await openPage();
  await logIn(page, 'dash-agent');
  await page.getByTestId('status').filter({ hasText: /supervisors|主管/ }).waitFor();
  t.is(await page.getByTestId('kpi-volume').innerText(), '—');
});
