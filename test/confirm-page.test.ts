// The page a notice links to, in a real headless Chromium against the real API, worker and drain:
// a proposal shown in the user's language and answered with the link's tokens (zh accepted, en
// rejected), and used, forged, expired and foreign links refused with a clear screen and no change.
// Screenshots land in test/artifacts/ for a reviewer.
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage as openPageIn } from './helpers/browser';
import { projectRoot } from '../config';
import { RATING_REASONS } from '../domain/ratings';
import { mintUserToken } from '../domain/user-token';
import { createUserSystemClient } from '../integrations/users';
import { smsTo, waitForNotice } from './helpers/delivery';
import { startTestStack, type TestStack } from './helpers/stack';
import { api, getTicket, orderOf, postTicket, waitForStatus } from './helpers/tickets';

const ARTIFACTS = path.join(projectRoot, 'test', 'artifacts');

let stack: TestStack;
let browser: Browser;
let baseUrl: string;

test.before(async () => {
  stack = await startTestStack({ policy: { confirmationTimeout: 120_000, reopenWindow: 60_000 }, delivery: true });
  baseUrl = await stack.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
});
test.after.always(async () => {
  await browser?.close();
  await stack?.close();
});

// a phone set to Chinese (a link that cannot read its ticket speaks the browser's language); refused answers
// (401/403/409) are logged by the browser as failed loads, anything else is a bug
const openPage = (url: string) => openPageIn(browser, url, { viewport: { width: 390, height: 760 }, deviceScaleFactor: 1, locale: 'zh-CN', expectedErrors: /status of 40[139]/ });

const screen = (page: Page, state: string) => page.waitForSelector(`body[data-state=${state}]`, { timeout: 15_000 });

const usedOrders = new Set<string>();
/** A fee ticket waiting for confirmation, and the link its proposal SMS carried. */
async function proposalLink(text: string, language?: 'en') {
  // a fresh order each time: an order refunded once has nothing more to propose
  const order = await orderOf(stack, 'waiting_fee_overcharged', (o) => !usedOrders.has(o.id));
  usedOrders.add(order.id);
  const created = await postTicket(stack, { text, orderId: order.id, userId: order.userId, ...(language ? { language } : {}) });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  const ticketId = created.body.tickets[0].id as string;
  await waitForStatus(stack, ticketId, 'awaiting_confirmation');
  const [, sms] = await waitForNotice(stack, ticketId, 'proposed');
  const phone = (await createUserSystemClient(stack.sandbox.userApiUrl).getUser(order.userId))!.phone;
  const message = (await smsTo(stack, phone)).find((m) => m.idempotencyKey === sms!.dedupeKey)!;
  // the drain's links name the configured public address; this test's API listens on a port of its own
  const link = /(http:\/\/\S+\/confirm\/#\S+)/.exec(message.text)![1]!.replace(/^http:\/\/[^/]+/, baseUrl);
  return { ticketId, userId: order.userId, link, fragment: new URLSearchParams(new URL(link).hash.slice(1)) };
}

test.serial('the page and its scripts are served under the Content-Security-Policy', async (t) => {
  for (const url of ['/confirm', '/confirm/', '/confirm/confirm.js', '/confirm/views.js', '/confirm/messages.js', '/shared/api.js', '/shared/i18n.js', '/shared/base.css']) {
    const response = await fetch(baseUrl + url);
    t.is(response.status, 200, url);
    await response.arrayBuffer();
  }
  const page = await fetch(`${baseUrl}/confirm/`);
  t.regex(page.headers.get('content-security-policy') ?? '', /script-src 'self'(;|$)/);
  t.is(page.headers.get('referrer-policy'), 'no-referrer');
});

test.serial('zh: the proposal is shown in Chinese with its amount, reason and deadline; accepting closes the ticket; the used link then changes nothing', async (t) => {
  const { ticketId, link, fragment } = await proposalLink('等候费多收了,我明明只等了一会儿');
  const { page, problems } = await openPage(link);
  await screen(page, 'proposal');
  t.regex(await page.getByTestId('solution').innerText(), /^退款 ¥\d+\.\d\d$/);
  t.regex(await page.getByTestId('reason').innerText(), /退还¥/);
  t.regex(await page.getByTestId('deadline').innerText(), /请在 .+ 前答复/);
  t.is(await page.getByTestId('accept').innerText(), '接受方案');
  await page.screenshot({ path: path.join(ARTIFACTS, 'confirm-proposal-zh.png'), fullPage: true });
  await page.getByTestId('accept').click();
  await screen(page, 'accepted');
  t.regex(await page.getByTestId('message').innerText(), /已确认/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'confirm-accepted-zh.png'), fullPage: true });
  await waitForStatus(stack, ticketId, 'closed');

  // the same link again: a clear screen, and the API refuses the spent token
  await page.goto('about:blank');
  await page.goto(link);
  await screen(page, 'not_waiting');
  t.regex(await page.getByTestId('message').innerText(), /无需确认/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'confirm-used-zh.png'), fullPage: true });
  const again = await api(stack, 'POST', `/v1/tickets/${ticketId}/confirmation`, { payload: { accepted: true }, as: fragment.get('confirm')! });
  t.is(again.status, 409);
  t.deepEqual(problems, []);
  await page.close();
});

test.serial('en: the proposal is shown in English; rejecting hands the ticket on', async (t) => {
  const { ticketId, link } = await proposalLink('I was overcharged the waiting fee, I only waited a couple of minutes', 'en');
  const { page, problems } = await openPage(link);
  await screen(page, 'proposal');
  t.is(await page.locator('html').getAttribute('lang'), 'en', "the ticket's language, not the browser's");
  t.regex(await page.getByTestId('solution').innerText(), /^Refund of ¥\d+\.\d\d$/);
  t.regex(await page.getByTestId('deadline').innerText(), /Please answer before/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'confirm-proposal-en.png'), fullPage: true });
  await page.getByTestId('reject').click();
  await screen(page, 'rejected');
  t.regex(await page.getByTestId('message').innerText(), /A person will look at your ticket again/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'confirm-rejected-en.png'), fullPage: true });
  const { body } = await getTicket(stack, ticketId);
  t.like(body.events.find((e: { kind: string; data: { signal?: string } }) => e.kind === 'signal' && e.data.signal === 'confirmation').data, { accepted: false });
  t.deepEqual(problems, []);
  await page.close();
});

test.serial('forged, expired and foreign links show a clear page and change nothing', async (t) => {
  const mine = await proposalLink('等候费多收了,我明明只等了一会儿');
  const other = await proposalLink('等候费多收了,我只等了五分钟');
  const waitSeq = Number((await getTicket(stack, mine.ticketId)).body.events.filter((e: { kind: string; data: { signal?: string } }) => e.kind === 'entered' && e.data.signal === 'confirmation').at(-1).seq);
  const forged = (await mintUserToken('not-the-server-secret-not-the-server-secret', { ticketId: mine.ticketId, userId: mine.userId, purpose: 'confirm', waitSeq, expiresAt: new Date(Date.now() + 600_000) })).token;
  const expired = (await mintUserToken(stack.config.credentials.userTokenSecret!, { ticketId: mine.ticketId, userId: mine.userId, purpose: 'confirm', waitSeq, expiresAt: new Date(Date.now() - 1_000) })).token;
  const cases: Array<[string, string, string, RegExp]> = [
    ['forged', `${baseUrl}/confirm/#ticket=${mine.ticketId}&confirm=${forged}`, 'expired', /已过期或无效/],
    ['expired', `${baseUrl}/confirm/#ticket=${mine.ticketId}&confirm=${expired}`, 'expired', /已过期或无效/],
    ['foreign', `${baseUrl}/confirm/#ticket=${mine.ticketId}&confirm=${other.fragment.get('confirm')}&reject=${other.fragment.get('reject')}`, 'foreign', /不属于该工单/],
    ['without a token', `${baseUrl}/confirm/#ticket=${mine.ticketId}`, 'expired', /已过期或无效/],
  ];
  for (const [name, url, state, text] of cases) {
    const { page, problems } = await openPage(url);
    await screen(page, state);
    t.regex(await page.getByTestId('message').innerText(), text, name);
    t.is(await page.getByTestId('accept').count(), 0, `${name}: no buttons`);
    await page.screenshot({ path: path.join(ARTIFACTS, `confirm-${name.replace(/ /g, '-')}.png`), fullPage: true });
    t.deepEqual(problems, [], name);
    await page.close();
  }
  // through the API too: the forged and expired tokens are refused, the foreign one is for another ticket
  t.is((await api(stack, 'POST', `/v1/tickets/${mine.ticketId}/confirmation`, { payload: { accepted: true }, as: forged })).status, 401);
  t.is((await api(stack, 'POST', `/v1/tickets/${mine.ticketId}/confirmation`, { payload: { accepted: true }, as: expired })).status, 401);
  t.is((await api(stack, 'POST', `/v1/tickets/${mine.ticketId}/confirmation`, { payload: { accepted: true }, as: other.fragment.get('confirm')! })).status, 403);
  t.is((await getTicket(stack, mine.ticketId)).body.ticket.status, 'awaiting_confirmation', 'nothing changed');
  t.is((await getTicket(stack, other.ticketId)).body.ticket.status, 'awaiting_confirmation');
});

/** The survey link the drain sent for a closed ticket. */
async function surveyLink(ticketId: string, userId: string) {
  const [, sms] = await waitForNotice(stack, ticketId, 'survey');
  const phone = (await createUserSystemClient(stack.sandbox.userApiUrl).getUser(userId))!.phone;
  const message = (await smsTo(stack, phone)).find((m) => m.idempotencyKey === sms!.dedupeKey)!;
  return /(http:\/\/\S+\/confirm\/#\S+)/.exec(message.text)![1]!.replace(/^http:\/\/[^/]+/, baseUrl);
}

test.serial('zh rating form: a low score asks for one reason, then opens a review; the used link is refused', async (t) => {
  const { ticketId, userId, fragment } = await proposalLink('等候费多收了,我明明只等了一会儿');
  t.is((await api(stack, 'POST', `/v1/tickets/${ticketId}/confirmation`, { payload: { accepted: true }, as: fragment.get('confirm')! })).status, 202);
  await waitForStatus(stack, ticketId, 'closed');
  const link = await surveyLink(ticketId, userId);
  t.is(new URLSearchParams(new URL(link).hash.slice(1)).get('low'), '2');
  const { page, problems } = await openPage(link);
  await screen(page, 'rating');
  t.true(await page.getByTestId('reasons').isHidden());
  await page.getByTestId('score-2').click();
  await page.getByTestId('reasons').waitFor();
  t.deepEqual(await page.getByTestId('reasons').locator('button').allInnerTexts(), ['处理太慢', '问题没解决', '态度不好', '说明不清楚', '其他']);
  const buttons = page.getByTestId('reasons').locator('button');
  const offered = await Promise.all(Array.from({ length: await buttons.count() }, (_, i) => buttons.nth(i).getAttribute('data-testid')));
  t.deepEqual(offered, RATING_REASONS.map((r) => `reason-${r}`), 'the page offers exactly the reasons the API takes');
  await page.getByTestId('submit').click();
  t.is(await page.getByTestId('form-error').innerText(), '请选择一个原因');
  await page.getByTestId('reason-slow').click();
  await page.getByTestId('comment').fill('等了很久才处理');
  await page.screenshot({ path: path.join(ARTIFACTS, 'rating-low-zh.png'), fullPage: true });
  await page.getByTestId('submit').click();
  await screen(page, 'rated');
  t.regex(await page.getByTestId('message').innerText(), /质检组会复核/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'rating-done-zh.png'), fullPage: true });
  const { body } = await getTicket(stack, ticketId);
  t.like(body.events.find((e: { kind: string }) => e.kind === 'rated').data, { score: 2, reason: 'slow', comment: '等了很久才处理', low: true });
  t.like(body.events.find((e: { kind: string }) => e.kind === 'review_opened').data, { reviewTicketId: `review-${ticketId}`, group: 'qa_group' });

  // the same link again: the form shows, but the spent token is refused with a clear page
  await page.goto('about:blank');
  await page.goto(link);
  await screen(page, 'rating');
  await page.getByTestId('score-5').click();
  await page.getByTestId('submit').click();
  await screen(page, 'used');
  t.regex(await page.getByTestId('message').innerText(), /已使用过/);
  t.is((await getTicket(stack, ticketId)).body.events.filter((e: { kind: string }) => e.kind === 'rated').length, 1);
  t.deepEqual(problems, []);
  await page.close();
});

test.serial('en rating form: a good score needs no reason', async (t) => {
  const { ticketId, userId, fragment } = await proposalLink('I was overcharged the waiting fee, I only waited a couple of minutes', 'en');
  t.is((await api(stack, 'POST', `/v1/tickets/${ticketId}/confirmation`, { payload: { accepted: true }, as: fragment.get('confirm')! })).status, 202);
  await waitForStatus(stack, ticketId, 'closed');
  const { page, problems } = await openPage(await surveyLink(ticketId, userId));
  await screen(page, 'rating');
  t.is(await page.locator('h1').innerText(), 'How did we do?');
  await page.getByTestId('score-5').click();
  t.true(await page.getByTestId('reasons').isHidden());
  await page.screenshot({ path: path.join(ARTIFACTS, 'rating-en.png'), fullPage: true });
  await page.getByTestId('submit').click();
  await screen(page, 'rated');
  t.is(await page.getByTestId('message').innerText(), 'Thank you for your rating!');
  t.like((await getTicket(stack, ticketId)).body.events.find((e: { kind: string }) => e.kind === 'rated').data, { score: 5, low: false });
  t.deepEqual(problems, []);
  await page.close();
});
