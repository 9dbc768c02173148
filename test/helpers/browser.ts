// Page tests drive Debian's Chromium through playwright-core (no browser download works here). One
// launch and one way to open a page that collects page errors and console errors, so a test can
// assert that a page ran cleanly.
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/**
 * Opens `url` in a new page; `problems` collects page errors and console errors, except those matching
 * `expectedErrors` (e.g. the 401/403 answers a test provokes, which the browser logs as failed loads).
 */
export async function openPage(browser: Browser, url: string, opts: BrowserContextOptions & { expectedErrors?: RegExp } = {}): Promise<{ page: Page; problems: string[] }> {
  const { expectedErrors, ...context } = opts;
  const page = await browser.newPage(context);
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error' || /favicon/.test(msg.location().url) || (expectedErrors && expectedErrors.test(msg.text()))) return;
    problems.push(`console: ${msg.text()} ${msg.location().url}`);
  });
  await page.goto(url);
  return { page, problems };
}
