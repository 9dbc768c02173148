// The visual SOP designer in a real headless Chromium against the real API: open fee_dispute, break a
// transition and see the error on its step, fix it, change an SLA and see it in the diff, publish as
// an admin (new version listed), and be refused as an agent.
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage as openPageIn } from './helpers/browser';
import { projectRoot } from '../config';
import { loadDefaultSops } from '../sops/load';
import { startTestStack, type TestStack } from './helpers/stack';

const SCREENSHOT = path.join(projectRoot, 'docs', 'img', 'designer.png');

let stack: TestStack;
let browser: Browser;
let baseUrl: string;

test.before(async () => {
  stack = await startTestStack({ worker: false });
  baseUrl = await stack.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium();
});

test.after.always(async () => {
  await browser?.close();
  await stack?.close();
});

// the refused publish attempts log their 401/403 responses; anything else is a bug
const openPage = () => openPageIn(browser, `${baseUrl}/designer`, { viewport: { width: 1440, height: 900 }, expectedErrors: /status of 40[13]/ });

/** the validation result of the current draft (not one still on its way for an earlier edit) */
async function waitValidity(page: Page, state: 'valid' | 'invalid') {
  await page.waitForSelector(`body[data-validating=false] [data-testid=validation-status][data-state=${state}]`, { timeout: 10_000 });
}

test.serial('the designer serves its page, its assets and the browser libraries', async (t) => {
  for (const url of ['/designer', '/designer/', '/designer/designer.js', '/designer/designer.css', '/vendor/mermaid.min.js', '/vendor/yaml.js', '/vendor/yaml/index.js']) {
    const response = await fetch(baseUrl + url);
    t.is(response.status, 200, url);
    await response.arrayBuffer();
  }
  t.regex((await fetch(`${baseUrl}/designer`)).headers.get('content-type') ?? '', /text\/html/);
  t.regex((await fetch(`${baseUrl}/designer/designer.js`)).headers.get('content-type') ?? '', /javascript/);
  // only the page's own scripts run (a CSP violation would also show up as a console error below)
  for (const url of ['/designer', '/designer/']) {
    const csp = (await fetch(baseUrl + url)).headers.get('content-security-policy') ?? '';
    t.regex(csp, /script-src 'self'(;|$)/, url);
    t.regex(csp, /script-src-attr 'none'/, url);
  }
});

test.serial('edit fee_dispute: live validation, diff, publish as admin, refused as agent', async (t) => {
  const { page, problems } = await openPage();
  const published = (await (await fetch(`${baseUrl}/v1/sops/fee_dispute/versions/latest`)).json()) as { version: number; document: { steps: Record<string, { sla?: string }> } };
  const stepIds = Object.keys(published.document.steps);

  // the list of SOPs, then fee_dispute with every step in the diagram
  await page.getByTestId('sop-item-fee_dispute').waitFor();
  const types = (await (await fetch(`${baseUrl}/v1/sops`)).json()) as Array<{ type: string }>;
  t.is(types.length, loadDefaultSops().length, 'every bundled default SOP is published');
  t.is(await page.getByTestId('sop-list').locator('li').count(), types.length, 'all SOP types are listed');
  await page.getByTestId('sop-item-fee_dispute').click();
  await page.getByTestId('node-fetch_order').waitFor();
  for (const id of stepIds) t.is(await page.getByTestId(`node-${id}`).count(), 1, `node of step ${id}`);
  await page.getByTestId(`version-item-${published.version}`).waitFor();
  await waitValidity(page, 'valid');
  t.false(await page.getByTestId('publish-button').isDisabled(), 'a valid draft may be published');

  // clicking a node selects its step; a next to a missing step is an error on that step
  await page.getByTestId('node-analyze_dispute').click();
  const next = page.getByTestId('step-form').getByTestId('field-next');
  t.is(await next.inputValue(), 'match_solution');
  await next.fill('no_such_step');
  await waitValidity(page, 'invalid');
  const error = page.locator('[data-testid=validation-error][data-step=analyze_dispute]').first();
  await error.waitFor();
  t.regex(await error.innerText(), /analyze_dispute[\s\S]*no_such_step/);
  t.is(await page.getByTestId('node-analyze_dispute').getAttribute('data-error'), 'true', 'the node is marked red');
  await page.getByTestId('missing-no_such_step').waitFor();
  t.true(await page.getByTestId('publish-button').isDisabled(), 'an invalid draft cannot be published');
  t.true((await next.getAttribute('class'))?.includes('invalid'), 'the field itself is marked');

  // fixed again
  await next.fill('match_solution');
  await waitValidity(page, 'valid');
  t.is(await page.getByTestId('node-analyze_dispute').getAttribute('data-error'), 'false');
  t.is(await page.getByTestId('missing-no_such_step').count(), 0);

  // an SLA change shows in the diff against the published version
  // an action without sla (bounded by the policy's actionSla) shows as ∅ in the diff
  const oldSla = published.document.steps.analyze_dispute!.sla ?? '∅';
  await page.getByTestId('step-form').getByTestId('field-sla').fill('10m');
  await waitValidity(page, 'valid');
  await page.getByTestId('tab-diff').click();
  const changed = page.getByTestId('diff-changed-analyze_dispute');
  await changed.waitFor();
  const fieldRow = changed.locator('[data-testid=diff-field][data-path=sla]');
  t.regex(await fieldRow.innerText(), new RegExp(`sla\\s+${oldSla}\\s+→\\s+10m`));
  t.is(await page.getByTestId('diff-count').innerText(), '1');
  t.is(await page.getByTestId('diff-list').locator('.diff-step').count(), 1, 'nothing else changed');

  // the YAML tab shows the whole draft with the change; a parse error is shown and blocks publishing
  await page.getByTestId('tab-yaml').click();
  const yaml = page.getByTestId('yaml-editor');
  const text = await yaml.inputValue();
  t.regex(text, /^type: fee_dispute$/m);
  t.regex(text, /analyze_dispute:\n(\s+.*\n)*?\s+sla: 10m/);
  await yaml.fill(`${text}\n  broken: [unclosed\n`);
  await page.getByTestId('yaml-error').waitFor();
  t.true(await page.getByTestId('publish-button').isDisabled());
  await yaml.fill(text);
  await page.getByTestId('yaml-error').waitFor({ state: 'hidden' });
  await waitValidity(page, 'valid');

  // with SCREENSHOTS=1: the picture in docs/DESIGNER.md (English labels), the changed step selected
  if (process.env.SCREENSHOTS) {
    await page.getByTestId('lang-toggle').click();
    await page.getByTestId('node-analyze_dispute').click();
    await page.getByTestId('step-form').getByTestId('field-sla').waitFor();
    await page.waitForTimeout(300);
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    await page.getByTestId('lang-toggle').click();
  }

  // publish as an admin: the new version is listed, loaded, and served by the API
  await page.getByTestId('publish-button').click();
  await page.getByTestId('publish-dialog').waitFor();
  await page.getByTestId('token-input').fill(stack.auth.admin);
  const publishResponse = page.waitForResponse((r) => r.url().endsWith('/v1/sops/fee_dispute/versions') && r.request().method() === 'POST');
  await page.getByTestId('publish-confirm').click();
  const response = await publishResponse;
  t.is(response.status(), 201);
  const newVersion = ((await response.json()) as { version: number }).version;
  t.is(newVersion, published.version + 1);
  await page.getByTestId(`version-item-${newVersion}`).waitFor();
  t.regex(await page.getByTestId(`version-item-${newVersion}`).innerText(), /最新|latest/);
  await page.getByTestId('publish-dialog').waitFor({ state: 'hidden' });
  t.regex(await page.getByTestId('toast').innerText(), new RegExp(`v${newVersion}`));
  const latest = (await (await fetch(`${baseUrl}/v1/sops/fee_dispute/versions/latest`)).json()) as typeof published;
  t.is(latest.version, newVersion);
  t.is(latest.document.steps.analyze_dispute!.sla, '10m');
  await page.getByTestId('tab-diff').click();
  await page.getByTestId('diff-empty').waitFor();
  t.is(await page.evaluate('localStorage.getItem("ticketflow.designer.adminToken")'), null, 'the token stays out of localStorage by default');
  t.is(await page.evaluate('sessionStorage.getItem("ticketflow.designer.adminToken")'), stack.auth.admin, 'the token is kept for this tab');

  // an agent's token may not publish: a clear message, no new version
  await page.getByTestId('node-analyze_dispute').click();
  await page.getByTestId('step-form').getByTestId('field-sla').fill('15m');
  await waitValidity(page, 'valid');
  await page.getByTestId('publish-button').click();
  await page.getByTestId('publish-dialog').waitFor();
  t.is(await page.getByTestId('token-input').inputValue(), stack.auth.admin, 'the token of this tab is offered');
  t.false(await page.getByTestId('token-remember').isChecked(), 'remembering is opt-in');
  await page.getByTestId('token-input').fill(await stack.auth.staff('AG-designer'));
  await page.getByTestId('publish-confirm').click();
  const message = page.locator('[data-testid=publish-message][data-kind=forbidden]');
  await message.waitFor();
  t.regex(await message.innerText(), /权限|admin/);
  t.true(await page.getByTestId('publish-dialog').isVisible(), 'the dialog stays open to try another token');

  // an unknown token: asked for a valid one
  await page.getByTestId('token-input').fill('not-a-token');
  await page.getByTestId('publish-confirm').click();
  await page.locator('[data-testid=publish-message][data-kind=unauthorized]').waitFor();
  await page.getByTestId('publish-cancel').click();
  t.is(await page.getByTestId(`version-item-${newVersion + 1}`).count(), 0);
  const after = (await (await fetch(`${baseUrl}/v1/sops/fee_dispute/versions`)).json()) as Array<{ version: number }>;
  t.is(after[0]!.version, newVersion);

  // an older version opens as the draft (a rollback): the diff shows the way back
  page.once('dialog', (dialog) => void dialog.accept()); // "discard your unpublished changes?"
  await page.getByTestId(`version-item-${published.version}`).click();
  await page.locator(`.version-item.active[data-version="${published.version}"]`).waitFor();
  await page.getByTestId('tab-diff').click();
  const back = page.locator('[data-testid=diff-changed-analyze_dispute] [data-testid=diff-field][data-path=sla]');
  t.regex(await back.innerText(), new RegExp(`10m\\s+→\\s+${oldSla}`));

  t.deepEqual(problems, []);
  await page.close();
});

test.serial('steps can be added, renamed (references follow) and removed; the draft survives a reload', async (t) => {
  const { page, problems } = await openPage();
  await page.getByTestId('sop-item-late_arrival').click();
  const startId = await page.evaluate(async () => ((await (await fetch('/v1/sops/late_arrival/versions/latest')).json()) as { document: { start: string } }).document.start);
  await page.getByTestId(`node-${startId}`).waitFor();
  await waitValidity(page, 'valid');

  // add a notify step: not reachable and without next → errors on it
  await page.getByTestId('add-step-open').click();
  await page.getByTestId('new-step-id').fill('tell_user_extra');
  await page.getByTestId('new-step-kind').selectOption('notify');
  await page.getByTestId('add-step-button').click();
  await page.getByTestId('node-tell_user_extra').waitFor();
  await waitValidity(page, 'invalid');
  await page.locator('[data-testid=validation-error][data-step=tell_user_extra]').first().waitFor();

  // rename the start step: the start follows
  await page.getByTestId(`node-${startId}`).click();
  await page.getByTestId('field-id').fill(`${startId}_renamed`);
  await page.getByTestId('rename-step').click();
  await page.getByTestId(`node-${startId}_renamed`).waitFor();
  await page.getByTestId('tab-doc').click();
  t.is(await page.getByTestId('doc-start').inputValue(), `${startId}_renamed`);

  // remove the added step (two clicks): valid again
  await page.getByTestId('node-tell_user_extra').click();
  await page.getByTestId('remove-step').click();
  await page.getByTestId('remove-step').click();
  await page.getByTestId('node-tell_user_extra').waitFor({ state: 'detached' });
  await waitValidity(page, 'valid');

  // the unpublished draft is kept in this browser across a reload
  await page.waitForTimeout(500);
  await page.reload();
  await page.getByTestId('sop-item-late_arrival').click();
  await page.getByTestId(`node-${startId}_renamed`).waitFor();
  t.not(await page.getByTestId('diff-count').innerText(), '');

  t.deepEqual(problems, []);
  await page.close();
});

test.serial("a human task's own silence rule: chosen in the form, its duration validated, written to the draft", async (t) => {
  const { page, problems } = await openPage();
  await page.getByTestId('sop-item-fee_dispute').click();
  await page.getByTestId('node-fee_review').waitFor();
  await waitValidity(page, 'valid');
  const form = page.getByTestId('step-form');
  // a step without a rule: choosing an action starts the rule with a default duration
  await page.getByTestId('node-refund_approval').click();
  await form.getByTestId('field-silence-action').selectOption('remind');
  t.is(await form.getByTestId('field-silence-after').inputValue(), '30m', 'a rule starts with a default duration');
  // the default SOP's rule on the review is shown as declared, then edited
  await page.getByTestId('node-fee_review').click();
  t.is(await form.getByTestId('field-silence-action').inputValue(), 'notify_supervisor');
  const after = form.getByTestId('field-silence-after');
  t.is(await after.inputValue(), '$reviewSilence');
  await after.fill('$noSuchPolicy');
  await waitValidity(page, 'invalid');
  t.regex(await page.locator('[data-testid=validation-error][data-step=fee_review]').first().innerText(), /silence\.after[\s\S]*noSuchPolicy/);
  await after.fill('5m');
  await waitValidity(page, 'valid');
  await page.getByTestId('tab-yaml').click();
  t.regex(await page.getByTestId('yaml-editor').inputValue(), /fee_review:\n(\s+.*\n)*?\s+silence: \{ after: 5m, action: notify_supervisor \}/);
  t.deepEqual(problems, []);
});

test.serial('the API docs page renders under the Content-Security-Policy', async (t) => {
  const { page, problems } = await openPage();
  await page.goto(`${baseUrl}/docs`);
  await page.locator('.swagger-ui .info .title').waitFor({ timeout: 15_000 });
  t.regex(await page.locator('.swagger-ui .info .title').innerText(), /Ticketflow API/);
  t.deepEqual(problems, []);
  await page.close();
});
