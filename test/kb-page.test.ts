// The agents' knowledge-base page (/kb) in a real headless Chromium against the real API: log in as an agent,
// search in Chinese (the seed's example) and in English, see the effective date and highlighted snippets, open
// the article and its other-language text, switch the page's language; a screenshot is kept for review.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import test from 'ava';
import type { Browser } from 'playwright-core';
import { launchChromium, openPage as openPageIn } from './helpers/browser';
import { projectRoot } from '../config';
import { startTestStack, type TestStack } from './helpers/stack';
import { api } from './helpers/tickets';

const SCREENSHOT = path.join(projectRoot, 'docs', 'img', 'kb.png');

let stack: TestStack;
let browser: Browser;
let baseUrl: string;
const username = `kb-page-${randomUUID().slice(0, 8)}`;
const password = 'knowledge is power';

test.before(async () => {
  stack = await startTestStack({ worker: false });
  baseUrl = await stack.app.listen({ port: 0, host: '127.0.0.1' });
  const created = await api(stack, 'POST', '/v1/staff', { payload: { id: username, username, password, role: 'agent' }, as: stack.auth.admin });
  if (created.status !== 201) throw new Error(`staff: ${created.status} ${JSON.stringify(created.body)}`);
  browser = await launchChromium();
});

test.after.always(async () => {
  await browser?.close();
  await stack?.close();
});

const openPage = () => openPageIn(browser, `${baseUrl}/kb`, { viewport: { width: 1280, height: 860 }, expectedErrors: /status of 401/ });

test('the page and its scripts are served with a CSP that runs only its own scripts', async (t) => {
  for (const url of ['/kb', '/kb/kb.js', '/kb/kb.css', '/shared/api.js', '/shared/i18n.js']) t.is((await fetch(baseUrl + url)).status, 200, url);
  t.regex((await fetch(`${baseUrl}/kb`)).headers.get('content-security-policy') ?? '', /script-src 'self'(;|$)/);
});

test('an agent logs in, searches 跨城运输附加费计算 and 等候, reads the table in force and its English text', async (t) => {
  const { page, problems } = await openPage();
  await page.getByTestId('login-form').waitFor();
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill('wrong password');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('login-message').filter({ hasText: '用户名或密码错误' }).waitFor();
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('search-input').waitFor();
  t.false(await page.getByTestId('login-form').isVisible(), 'the login form goes once logged in');

  await page.getByTestId('search-input').fill('跨城运输附加费计算');
  await page.getByTestId('search-submit').click();
  await page.locator('[data-testid=results][data-query="跨城运输附加费计算"]').waitFor();
  const first = page.getByTestId('results').locator('li').first();
  await first.waitFor();
  t.is(await first.getAttribute('data-testid'), 'result-fare-cross-city-zh');
  t.regex(await first.getByTestId('effective-from').innerText(), /生效日期 2026-01-01/);
  t.true((await first.locator('mark').count()) > 0, 'the match is highlighted');

  await first.click();
  await page.getByTestId('article-body').waitFor();
  t.regex(await page.getByTestId('article-meta').innerText(), /费率表 · 生效日期 2026-01-01 · 版本 2/);
  t.regex(await page.getByTestId('article-body').innerText(), /crossCitySurcharge: \{ minivan: 3000/);
  await page.getByTestId('translation-en').click();
  await page.getByTestId('article-body').filter({ hasText: 'Cross-city surcharge table' }).waitFor();

  await page.getByTestId('search-input').fill('等候');
  await page.getByTestId('search-submit').click();
  await page.locator('[data-testid=results][data-query="等候"]').waitFor();
  await page.getByTestId('result-fare-waiting-zh').waitFor();
  t.regex(await page.getByTestId('result-fare-waiting-zh').locator('.snippet').innerHTML(), /<mark>等候<\/mark>费/);
  await page.screenshot({ path: SCREENSHOT, fullPage: true });

  // English interface, English articles only
  await page.getByTestId('lang-toggle').click();
  await page.getByTestId('filter-lang').selectOption('en');
  await page.getByTestId('search-input').fill('wating fee');
  await page.getByTestId('search-submit').click();
  await page.locator('[data-testid=results][data-query="wating fee"]').waitFor();
  await page.getByTestId('result-fare-waiting-en').waitFor();
  t.regex(await page.getByTestId('result-fare-waiting-en').getByTestId('effective-from').innerText(), /In force since 2026-01-01/);
  t.is(await page.getByTestId('results').locator('li[data-testid$="-zh"]').count(), 0);
  t.deepEqual(problems, []);
});

test('a link to /kb#article=<id> (the console links past cases so) opens that article after login', async (t) => {
  const { page, problems } = await openPageIn(browser, `${baseUrl}/kb#article=fare-waiting-en`, { viewport: { width: 1280, height: 860 } });
  await page.getByTestId('login-form').waitFor();
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('article-body').waitFor();
  t.regex(await page.getByTestId('article-meta').innerText(), /Rate table|费率表/);
  t.deepEqual(problems, []);
});
