// The agent console (/console) in a real headless Chromium against the real API and worker: two agents of one
// group log in (two browser contexts); agent A takes the next ticket and sees its view (the SOP diagram with the
// current step highlighted, the timeline, the decision form typed by the step's schema), decides, and sees the
// ticket move on; agent B no longer sees A's ticket in the queue and cannot take it. A holder asks the user for more
// information (the clock pauses until the answer) and escalates; a supervisor sees the escalated ticket, and one past
// its SLA marked as breached, in the supervisors' queue. Both languages are drawn; screenshots are kept in
// test/artifacts (and docs/img/console.png for the README: a held ticket after the user's answer).
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import test from 'ava';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage } from './helpers/browser';
import { projectRoot } from '../config';
import { loadDefaultSops } from '../sops/load';
import { poll, publishSopVersion, waitForEvent } from './helpers/flows';
import { startTestStack, type TestStack } from './helpers/stack';
import { api, getTicket, orderOf, postTicket, userOf } from './helpers/tickets';

const ARTIFACTS = path.join(projectRoot, 'test', 'artifacts');
const DOC_SCREENSHOT = path.join(projectRoot, 'docs', 'img', 'console.png');
const GROUP = 'general_group';
const PASSWORD = 'console agent password';

let stack: TestStack;
let browser: Browser;
let baseUrl: string;
/** the ticket agent A decided (a resolved past case for the next test) */
let decidedTicket: string;
const suffix = randomUUID().slice(0, 6);
const ann = { id: `C-ann-${suffix}`, username: `ann-${suffix}` };
const bob = { id: `C-bob-${suffix}`, username: `bob-${suffix}` };

/** a triage version whose first step is a human task of GROUP: approve with an integer amount, or reject */
const triage = loadDefaultSops().find((d) => d.type === 'triage')!;
const document = {
  type: 'triage',
  name: { zh: '工作台测试', en: 'Console test' },
  appliesTo: triage.appliesTo,
  start: 'review',
  policy: { sla: 3_600_000 },
  steps: {
    review: {
      kind: 'human_task',
      name: { zh: '人工审核', en: 'Review' },
      owner: GROUP,
      group: GROUP,
      task: { zh: '核实后决定补偿金额', en: 'Check and decide the compensation' },
      decisions: ['approve', 'reject'],
      data: { approve: { amountFen: { type: 'integer', required: true, min: 0, max: 50_000 } } },
      sla: '$sla',
      next: { approve: 'paid', reject: 'refused' },
    },
    paid: { kind: 'close', name: { zh: '已补偿', en: 'Compensated' }, owner: 'system', resolution: 'resolved' },
    refused: { kind: 'close', name: { zh: '已拒绝', en: 'Refused' }, owner: 'system', resolution: 'rejected' },
  },
};

test.before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startTestStack({ policy: { reopenWindow: 120_000 } }); // the decided ticket takes a rating after its close
  baseUrl = await stack.app.listen({ port: 0, host: '127.0.0.1' });
  for (const who of [ann, bob]) await addStaff(who, 'agent', [GROUP]);
  browser = await launchChromium();
});

/** a staff account that logs in with PASSWORD, online in `groups` */
async function addStaff(who: { id: string; username: string }, role: 'agent' | 'supervisor', groups: string[]) {
  const created = await api(stack, 'POST', '/v1/staff', { payload: { id: who.id, username: who.username, password: PASSWORD, role }, as: stack.auth.admin });
  if (created.status !== 201) throw new Error(`staff: ${created.status} ${JSON.stringify(created.body)}`);
  const profile = await api(stack, 'PATCH', `/v1/agents/${who.id}`, { payload: { groups, maxConcurrent: 3, status: 'online' }, as: stack.auth.admin });
  if (profile.status !== 200) throw new Error(`profile: ${profile.status} ${JSON.stringify(profile.body)}`);
}

test.after.always(async () => {
  await browser?.close();
  await stack?.close();
});

async function logIn(page: Page, who: { username: string }) {
  await page.getByTestId('login-form').waitFor();
  await page.getByTestId('login-username').fill(who.username);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('workspace').waitFor();
}

test('the page, its modules and the settings route are served; the CSP runs only own scripts', async (t) => {
  for (const url of ['/console', '/console/console.js', '/console/decision.js', '/console/console.css', '/shared/dom.js', '/shared/staff.css']) t.is((await fetch(baseUrl + url)).status, 200, url);
  t.regex((await fetch(`${baseUrl}/console`)).headers.get('content-security-policy') ?? '', /script-src 'self'(;|$)/);
  const config = await api(stack, 'GET', '/v1/console/config', { as: await stack.auth.staff('C-reader', 'agent') });
  t.deepEqual(config.body, { temporalUiUrl: stack.config.temporal.uiUrl, namespace: stack.config.temporal.namespace });
  t.is((await api(stack, 'GET', '/v1/console/config', { as: stack.auth.service })).status, 403, 'staff only');
});

test.serial('agent A takes next, sees the ticket view, decides and sees it move on; agent B neither sees nor takes it', async (t) => {
  const published = await publishSopVersion(stack, 'triage', document);
  t.is(published.status, 201, JSON.stringify(published.body));
  const created = await postTicket(stack, { text: '你好,在吗?', userId: 'U-console' });
  const ticket = created.body.tickets[0];
  t.is(ticket.sopVersion, published.body.version);
  const id: string = ticket.id;
  decidedTicket = id;
  await waitForEvent(stack, id, (e) => e.step === 'review' && e.kind === 'entered');

  const a = await openPage(browser, `${baseUrl}/console`, { viewport: { width: 1500, height: 1000 } });
  const b = await openPage(browser, `${baseUrl}/console`, { viewport: { width: 1500, height: 1000 }, expectedErrors: /status of 409/ });
  await logIn(a.page, ann);
  await logIn(b.page, bob);
  // both see the ticket waiting in the group's queue, with its SLA counting down
  for (const { page } of [a, b]) await page.getByTestId(`queue-${GROUP}`).getByTestId(`item-${id}`).waitFor();
  t.regex(await b.page.getByTestId(`sla-${id}`).innerText(), /\d+m \d+s 剩余/);

  // A takes the next ticket: the ticket view opens on it
  await a.page.getByTestId('take-next').click();
  await a.page.locator(`[data-testid=ticket-facts][data-ticket="${id}"]`).waitFor();
  t.is(await a.page.getByTestId('user-text').innerText(), '你好,在吗?');
  t.is(await a.page.getByTestId('ticket-holder').innerText(), `处理人: ${ann.id}`);
  await a.page.getByTestId('my-tickets').getByTestId(`item-${id}`).waitFor();
  t.is(await a.page.getByTestId(`queue-${GROUP}`).getByTestId(`item-${id}`).count(), 0, 'a held ticket leaves the queue list');
  const link = await a.page.getByTestId('temporal-link').getAttribute('href');
  t.is(link, `${stack.config.temporal.uiUrl}/namespaces/${stack.config.temporal.namespace}/workflows/ticket-${id}`);
  // the diagram with the current step highlighted, the timeline with the assignment, the typed decision form
  await a.page.locator('[data-testid=node-review][data-current=true]').waitFor();
  t.is(await a.page.locator('[data-testid=node-paid][data-current=true]').count(), 0);
  await a.page.locator('[data-testid=timeline] li[data-kind=assigned]').waitFor();
  t.regex(await a.page.getByTestId('task').innerText(), /核实后决定补偿金额/);
  const amount = a.page.getByTestId('data-amountFen');
  t.is(await amount.getAttribute('type'), 'number');
  t.is(await amount.getAttribute('step'), '1');
  t.is(await amount.getAttribute('max'), '50000');
  await a.page.screenshot({ path: path.join(ARTIFACTS, 'console-ticket-zh.png'), fullPage: true });

  // B: the ticket has gone from the queue; take next finds nothing; taking it directly is refused
  await b.page.locator(`[data-testid=queue-${GROUP}] [data-testid=item-${id}]`).waitFor({ state: 'detached', timeout: 15_000 });
  await b.page.getByTestId('take-next').click();
  await b.page.getByTestId('action-message').filter({ hasText: '队列中没有可领取的工单' }).waitFor();
  const direct: { status: number; body: { message: string } } = await b.page.evaluate(async (ticketId) => {
    const token = (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('ticketflow.session');
    const response = await fetch(`/v1/tickets/${ticketId}/assign`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    return { status: response.status, body: (await response.json()) as { message: string } };
  }, id);
  t.is(direct.status, 409);
  t.regex(direct.body.message, new RegExp(`held by ${ann.id}`));
  // B opening the ticket sees who holds it and may not decide
  await b.page.goto(`${baseUrl}/console#ticket=${id}`);
  await b.page.reload();
  await b.page.getByTestId('held-by-other').filter({ hasText: ann.id }).waitFor();
  t.true(await b.page.getByTestId('decide').isDisabled());

  // A decides: approve with an amount; the ticket moves on to its close step
  await amount.fill('12000');
  await a.page.getByTestId('decision-note').fill('核实等候时间属实');
  await a.page.getByTestId('decide').click();
  await a.page.locator('[data-testid=ticket-status][data-status=closed]').waitFor();
  t.is(await a.page.getByTestId('ticket-status').innerText(), '已关闭');
  await a.page.locator('[data-testid=timeline] li[data-kind=decided]').waitFor();
  await a.page.locator('[data-testid=node-paid][data-current=true]').waitFor();
  await a.page.getByTestId('not-waiting').waitFor();
  await a.page.locator(`[data-testid=my-tickets] [data-testid=item-${id}]`).waitFor({ state: 'detached' });
  const decided = (await getTicket(stack, id)).body.events.find((e: { kind: string }) => e.kind === 'decided');
  t.like(decided, { actor: `agent:${ann.id}`, data: { decision: 'approve', agentId: ann.id, data: { amountFen: 12000 }, note: '核实等候时间属实' } });
  await a.page.screenshot({ path: path.join(ARTIFACTS, 'console-decided-zh.png'), fullPage: true });

  // English
  await a.page.getByTestId('lang-toggle').click();
  await a.page.locator('h1').filter({ hasText: 'Agent console' }).waitFor();
  await a.page.getByTestId('take-next').filter({ hasText: 'Take next' }).waitFor();
  await a.page.getByTestId('not-waiting').filter({ hasText: 'This ticket is not waiting for a decision' }).waitFor();
  t.is(await a.page.getByTestId('ticket-holder').innerText(), 'Holder: nobody');
  t.is(await a.page.getByTestId('ticket-status').innerText(), 'closed');
  t.regex(await a.page.getByTestId('classification').innerText(), /Category\s*triage \/ unclear[\s\S]*Group\s*general_group/);
  await a.page.locator('[data-testid=node-paid][data-current=true]').waitFor();
  await a.page.screenshot({ path: path.join(ARTIFACTS, 'console-decided-en.png'), fullPage: true });

  t.deepEqual(a.problems, []);
  t.deepEqual(b.problems, []);
});

test.serial('beside the next ticket: the similar past case; release puts it back in the queue, take and transfer give it to another agent', async (t) => {
  t.truthy(decidedTicket, 'runs after the decision test');
  const created = await postTicket(stack, { text: '你好,在吗?', userId: 'U-console-2' });
  const id: string = created.body.tickets[0].id;
  await waitForEvent(stack, id, (e) => e.step === 'review' && e.kind === 'entered');
  // the first ticket closed resolved: it is now a past case like this one (and a ticket is never its own case)
  const similar = await api(stack, 'GET', `/v1/tickets/${id}/similar-cases`, { as: await stack.auth.staff('C-reader', 'agent') });
  t.is(similar.status, 200);
  t.like(similar.body.cases[0], { ticketId: decidedTicket, outcome: 'resolved', sopType: 'triage' });
  t.false(similar.body.cases.some((c: { ticketId: string }) => c.ticketId === id));
  t.is((await api(stack, 'GET', '/v1/tickets/no-such-ticket/similar-cases', { as: await stack.auth.staff('C-reader', 'agent') })).status, 404);
  // its user rates it: the case shows the rating
  const rated = await api(stack, 'POST', `/v1/tickets/${decidedTicket}/rating`, { payload: { score: 4 }, as: { token: stack.auth.service, onBehalfOf: await userOf(stack, decidedTicket) } });
  t.is(rated.status, 202, JSON.stringify(rated.body));
  await poll('the rating in the case', async () => {
    const cases = (await api(stack, 'GET', `/v1/tickets/${id}/similar-cases`, { as: await stack.auth.staff('C-reader', 'agent') })).body.cases;
    return cases.find((c: { ticketId: string; rating?: number }) => c.ticketId === decidedTicket && c.rating === 4);
  }, 20_000);

  const b = await openPage(browser, `${baseUrl}/console`, { viewport: { width: 1500, height: 1000 } });
  await logIn(b.page, bob);
  await b.page.getByTestId('take-next').click();
  await b.page.locator(`[data-testid=ticket-facts][data-ticket="${id}"]`).waitFor();
  await b.page.getByTestId('cases').getByTestId(`case-${decidedTicket}`).waitFor();
  t.is(await b.page.getByTestId(`case-${decidedTicket}`).getByTestId('case-rating').innerText(), '★ 4/5');

  // release: back in the queue, nobody holds it
  await b.page.getByTestId('release').click();
  await b.page.getByTestId('ticket-holder').filter({ hasText: '处理人: 无人' }).waitFor();
  await b.page.locator(`[data-testid=queue-${GROUP}] [data-testid=item-${id}]`).waitFor();
  t.is(await b.page.locator(`[data-testid=my-tickets] [data-testid=item-${id}]`).count(), 0);
  t.is(await b.page.getByTestId('release').count(), 0, 'only the holder sees release and transfer');

  // take it from the queue, then transfer it to A, whose list shows it
  await b.page.getByTestId(`take-${id}`).click();
  await b.page.getByTestId('ticket-holder').filter({ hasText: bob.id }).waitFor();
  await b.page.getByTestId('transfer-to').selectOption(ann.id);
  await b.page.getByTestId('transfer').click();
  await b.page.getByTestId('ticket-holder').filter({ hasText: ann.id }).waitFor();
  await b.page.locator('[data-testid=timeline] li[data-kind=transferred]').waitFor();
  t.true(await b.page.getByTestId('decide').isDisabled(), 'B no longer holds it');
  const a = await openPage(browser, `${baseUrl}/console`, { viewport: { width: 1500, height: 1000 } });
  await logIn(a.page, ann);
  await a.page.locator(`[data-testid=my-tickets] [data-testid=item-${id}]`).waitFor();
  await b.page.screenshot({ path: path.join(ARTIFACTS, 'console-transferred-zh.png'), fullPage: true });
  t.deepEqual(
    (await getTicket(stack, id)).body.events.filter((e: { kind: string }) => ['assigned', 'released', 'transferred'].includes(e.kind)).map((e: { kind: string; actor: string }) => `${e.kind}:${e.actor}`),
    [`assigned:agent:${bob.id}`, `released:agent:${bob.id}`, `assigned:agent:${bob.id}`, `transferred:agent:${bob.id}`],
  );
  t.deepEqual(a.problems, []);
  t.deepEqual(b.problems, []);
});

test.serial("the order as the ticket's step read it: fee breakdown, total and payments, personal data masked", async (t) => {
  const order = await orderOf(stack, 'waiting_fee_overcharged');
  const withOrder = {
    ...document,
    start: 'fetch_order',
    steps: { fetch_order: { kind: 'action', name: { zh: '查询订单', en: 'Fetch the order' }, owner: 'system', action: 'fetchOrder', input: { orderId: { var: 'ticket.orderId' } }, output: 'order', next: 'review' }, ...document.steps },
  };
  const published = await publishSopVersion(stack, 'triage', withOrder);
  t.is(published.status, 201, JSON.stringify(published.body));
  const created = await postTicket(stack, { text: '你好,在吗?', userId: order.userId, orderId: order.id });
  t.is(created.body.tickets[0].sopVersion, published.body.version);
  const id: string = created.body.tickets[0].id;
  await waitForEvent(stack, id, (e) => e.step === 'review' && e.kind === 'entered');

  // the read model keeps the whole order (the event only a summary), without the user's phone number
  const read = await api(stack, 'GET', `/v1/tickets/${id}/order`, { as: await stack.auth.staff('C-reader', 'agent') });
  t.is(read.status, 200);
  t.like(read.body, { ticketId: id, orderId: order.id, order: { id: order.id, total: order.total, fees: order.fees, payments: order.payments } });
  if (order.userPhone) t.false(JSON.stringify(read.body).includes(order.userPhone), 'the phone number is masked');
  t.is((await api(stack, 'GET', '/v1/tickets/no-such-ticket/order', { as: await stack.auth.staff('C-reader', 'agent') })).status, 404);

  const a = await openPage(browser, `${baseUrl}/console`, { viewport: { width: 1500, height: 1000 } });
  await logIn(a.page, ann);
  await a.page.getByTestId('take-next').click();
  await a.page.locator(`[data-testid=ticket-facts][data-ticket="${id}"]`).waitFor();
  await a.page.getByTestId('fees').waitFor();
  t.is(await a.page.getByTestId('fees').locator('tr').count(), order.fees.length);
  const waiting = order.fees.find((f) => f.code === 'waiting_fee')!;
  t.regex(await a.page.getByTestId('fee-waiting_fee').innerText(), new RegExp(`${waiting.labelZh}[\\s\\S]*¥${(waiting.amount / 100).toFixed(2)}`));
  t.regex(await a.page.getByTestId('order-total').innerText(), new RegExp(`¥${(order.total / 100).toFixed(2)}`));
  t.is(await a.page.getByTestId('payments').locator('li').count(), order.payments.length);
  await a.page.locator('[data-testid=node-fetch_order]').waitFor();
  t.is(await a.page.locator('[data-testid=node-review]').getAttribute('data-current'), 'true');
  await a.page.getByTestId('order').screenshot({ path: path.join(ARTIFACTS, 'console-order-zh.png') });
  t.deepEqual(a.problems, []);
});

test.serial("the holder asks the user (status and list say waiting on the user, the clock paused; the answer brings it back) and escalates; a supervisor sees it, and a ticket past its SLA marked breached, in the supervisors' queue", async (t) => {
  const cy = { id: `C-cy-${suffix}`, username: `cy-${suffix}` };
  const sue = { id: `C-sue-${suffix}`, username: `sue-${suffix}` };
  await addStaff(cy, 'agent', [GROUP]);
  await addStaff(sue, 'supervisor', ['supervisor_group']);
  t.is((await publishSopVersion(stack, 'triage', document)).status, 201);
  const id: string = (await postTicket(stack, { text: '你好,在吗?', userId: 'U-console-3' })).body.tickets[0].id;
  await waitForEvent(stack, id, (e) => e.step === 'review' && e.kind === 'entered');

  const c = await openPage(browser, `${baseUrl}/console`, { viewport: { width: 1500, height: 1000 } });
  await logIn(c.page, cy);
  await c.page.getByTestId(`take-${id}`).click();
  await c.page.getByTestId('ticket-holder').filter({ hasText: cy.id }).waitFor();
  t.is(await c.page.getByTestId('waiting-user').count(), 0);

  // ask: the ticket waits on the user, the step's clock stands still with the time it had left
  await c.page.getByTestId('ask-info-text').fill('请提供订单号和上车地点');
  await c.page.getByTestId('ask-info').click();
  await c.page.locator('[data-testid=ticket-status][data-status=awaiting_user]').waitFor();
  t.is(await c.page.getByTestId('ticket-status').innerText(), '等待用户补充');
  t.regex(await c.page.getByTestId('waiting-user').innerText(), /等待用户补充信息 · 时限已暂停,剩余 \d+m \d+s\s+问题: 请提供订单号和上车地点/);
  const asked = await waitForEvent(stack, id, (e) => e.kind === 'info_requested');
  const listed = c.page.locator(`[data-testid=my-tickets] [data-testid=sla-${id}][data-paused=true]`);
  await listed.waitFor();
  t.is(Number(await listed.getAttribute('data-remaining')), asked.data.remainingMs, 'the list shows the time left when the clock stopped');
  t.regex(await listed.innerText(), /^⏸ \d+m \d+s 已暂停/);
  t.is(await c.page.getByTestId('my-tickets').getByTestId(`status-${id}`).getAttribute('data-status'), 'awaiting_user');
  // while waiting: no second question, no escalation; the decision stays open
  await c.page.getByTestId('holder-waiting-user').waitFor();
  t.is(await c.page.getByTestId('ask-info').count(), 0);
  t.is(await c.page.getByTestId('escalate').count(), 0);
  t.false(await c.page.getByTestId('decide').isDisabled());
  await c.page.screenshot({ path: path.join(ARTIFACTS, 'console-waiting-user-zh.png'), fullPage: true });

  // the user's answer comes through a channel's service with the tickets:signal scope (a key without it is refused)
  t.is((await api(stack, 'POST', `/v1/tickets/${id}/info`, { payload: { answer: 'x' }, as: await stack.auth.apiKey(['tickets:read']) })).status, 403);
  const answered = await api(stack, 'POST', `/v1/tickets/${id}/info`, { payload: { answer: 'ORD-100001,人民广场上车' }, as: await stack.auth.apiKey(['tickets:signal']) });
  t.is(answered.status, 200, JSON.stringify(answered.body));
  await c.page.getByTestId('user-answer-text').filter({ hasText: 'ORD-100001,人民广场上车' }).waitFor();
  t.not(await c.page.getByTestId('ticket-status').getAttribute('data-status'), 'awaiting_user');
  t.is(await c.page.getByTestId('waiting-user').count(), 0);
  t.is(await c.page.getByTestId('ticket-holder').innerText(), `处理人: ${cy.id}`, 'back with the agent');
  await c.page.locator(`[data-testid=my-tickets] [data-testid=sla-${id}][data-paused=false]`).waitFor();
  await c.page.locator('[data-testid=timeline] li[data-kind=info_received]').waitFor();
  await c.page.getByTestId('escalate-form').waitFor();
  await c.page.screenshot({ path: DOC_SCREENSHOT, fullPage: true });

  // escalate: the ticket leaves the agent for the supervisors' queue
  await c.page.getByTestId('escalate-text').fill('用户要求的赔偿超出我的权限');
  await c.page.getByTestId('escalate').click();
  await c.page.locator('[data-testid=ticket-status][data-status=escalated]').waitFor();
  t.regex(await c.page.getByTestId('escalation-note').innerText(), new RegExp(`已升级至 supervisor_group: 用户要求的赔偿超出我的权限 \\(${cy.id}\\)`));
  t.is(await c.page.getByTestId('ticket-holder').innerText(), '处理人: 无人');
  await c.page.locator(`[data-testid=my-tickets] [data-testid=item-${id}]`).waitFor({ state: 'detached' });

  // a ticket whose step runs past its SLA (300 ms here) is escalated by the workflow
  t.is((await publishSopVersion(stack, 'triage', { ...document, policy: { sla: 300 } })).status, 201);
  const late: string = (await postTicket(stack, { text: '你好,在吗?', userId: 'U-console-4' })).body.tickets[0].id;
  await waitForEvent(stack, late, (e) => e.kind === 'escalated');

  // the supervisor (another browser context) sees both in the supervisors' queue; only the late one is marked breached
  const s = await openPage(browser, `${baseUrl}/console`, { viewport: { width: 1500, height: 1000 } });
  await logIn(s.page, sue);
  const queue = s.page.getByTestId('queue-supervisor_group');
  await queue.getByTestId(`item-${id}`).waitFor();
  await queue.getByTestId(`item-${late}`).waitFor();
  const badge = queue.getByTestId(`breached-${late}`);
  t.is(await badge.innerText(), 'SLA 已超时');
  t.is(await badge.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color), 'rgb(180, 35, 24)', 'red');
  t.is(await queue.getByTestId(`breached-${id}`).count(), 0, "an agent's escalation is not an SLA breach");
  t.is(await queue.getByTestId(`status-${id}`).innerText(), '已升级主管');
  await queue.getByTestId(`item-${late}`).click();
  await s.page.getByTestId('escalation-note').filter({ hasText: '超出处理时限,自动升级' }).waitFor();
  await queue.getByTestId(`item-${id}`).click();
  await s.page.getByTestId('escalation-note').filter({ hasText: '用户要求的赔偿超出我的权限' }).waitFor();
  await s.page.screenshot({ path: path.join(ARTIFACTS, 'console-supervisor-zh.png'), fullPage: true });
  await s.page.getByTestId('lang-toggle').click();
  t.is(await queue.getByTestId(`breached-${late}`).innerText(), 'SLA breached');
  await s.page.getByTestId('escalation-note').filter({ hasText: `Escalated to supervisor_group: 用户要求的赔偿超出我的权限 (${cy.id})` }).waitFor();
  await s.page.screenshot({ path: path.join(ARTIFACTS, 'console-supervisor-en.png'), fullPage: true });
  t.deepEqual(c.problems, []);
  t.deepEqual(s.problems, []);
});
