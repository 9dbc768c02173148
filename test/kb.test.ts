// The knowledge base through the API on the real PostgreSQL: Chinese and English search over the seeded
// articles, the version in force by date, filters, highlighted snippets, editor rights, and a rate change
// in one article reaching both what agents read and what the fee analysis of a real ticket computes, and a
// compensation band changed in its article reaching what a late-arrival ticket proposes and pays.
import test from 'ava';
import { startTestStack, type TestStack } from './helpers/stack';
import { driverLateMinutes } from '../domain/fee-dispute';
import { api, confirm, orderOf, postTicket, waitForStatus } from './helpers/tickets';

let stack: TestStack;
test.before(async () => {
  stack = await startTestStack();
});
test.after.always(async () => {
  await stack?.close();
});

const agent = () => stack.auth.staff('kb-agent', 'agent');
const editor = () => stack.auth.staff('kb-editor', 'editor');
async function search(params: Record<string, string>) {
  const { status, body } = await api(stack, 'GET', `/v1/kb/search?${new URLSearchParams(params)}`, { as: await agent() });
  if (status !== 200) throw new Error(`search ${JSON.stringify(params)} answered ${status}: ${JSON.stringify(body)}`);
  return body.results as Array<{ articleId: string; version: number; kind: string; lang: string; sopTypes: string[]; effectiveFrom: string; inForce: boolean; snippet: string; title: string }>;
}

test('the seed example: 跨城运输附加费计算 returns the cross-city surcharge table in force (2026), not the 2025 one', async (t) => {
  const [first] = await search({ q: '跨城运输附加费计算' });
  t.like(first, { articleId: 'fare-cross-city-zh', version: 2, kind: 'rate_table', inForce: true });
  t.is(new Date(first!.effectiveFrom).toISOString(), '2026-01-01T00:00:00.000Z');
  // as of mid-2025 the older table was in force
  const [then] = await search({ q: '跨城运输附加费计算', at: '2025-06-01' });
  t.like(then, { articleId: 'fare-cross-city-zh', version: 1 });
  const history = await api(stack, 'GET', '/v1/kb/articles/fare-cross-city-zh/versions', { as: await agent() });
  t.deepEqual(history.body.versions.map((v: { version: number; inForce: boolean }) => [v.version, v.inForce]), [[1, false], [2, true]]);
  t.regex(history.body.versions[0].body, /minivan: 2500/);
  t.regex(history.body.versions[1].body, /minivan: 3000/);
});

test('a two-character Chinese query (等候) finds the 等候费 articles, with the match highlighted', async (t) => {
  const results = await search({ q: '等候', limit: '5' });
  t.is(results[0]!.articleId, 'fare-waiting-zh');
  t.true(results.slice(0, 3).some((r) => r.articleId === 'faq-waiting-free-zh'), JSON.stringify(results.map((r) => r.articleId)));
  t.regex(results[0]!.snippet, /<mark>等候<\/mark>费/);
});

test('English, colloquial and misspelled queries find their articles; filters narrow by kind, language and SOP type', async (t) => {
  t.is((await search({ q: 'when will my refund arrive', limit: '3' }))[0]!.articleId, 'faq-refund-when-en');
  const misspelled = await search({ q: 'cancelation fee', limit: '3' });
  t.true(misspelled.some((r) => r.articleId === 'fare-cancellation-en'), JSON.stringify(misspelled.map((r) => r.articleId)));
  t.is((await search({ q: '货物摔坏了怎么赔', limit: '3' }))[0]!.articleId, 'guide-cargo-damage-zh');

  const tables = await search({ q: '等候费', kind: 'rate_table', limit: '10' });
  t.true(tables.length > 0);
  t.true(tables.every((r) => r.kind === 'rate_table'));
  const english = await search({ q: 'waiting fee', lang: 'en', limit: '10' });
  t.true(english.length > 2);
  t.true(english.every((r) => r.lang === 'en'));
  const late = await search({ q: '补偿', type: 'late_arrival', limit: '10' });
  t.true(late.length > 0);
  t.true(late.every((r) => r.sopTypes.includes('late_arrival')));
  t.false((await search({ q: '补偿', limit: '10' })).every((r) => r.sopTypes.includes('late_arrival')));
});

test('bad search input gets 400 with the field', async (t) => {
  const as = await agent();
  for (const [query, field] of [['q=', 'q'], ['q=fee&limit=0', 'limit'], ['q=fee&kind=novel', 'kind'], ['q=fee&lang=fr', 'lang'], ['q=fee&at=yesterday', 'at'], ['q=%EF%BC%8C%E3%80%82', 'q']] as const) {
    const { status, body } = await api(stack, 'GET', `/v1/kb/search?${query}`, { as });
    t.is(status, 400, query);
    t.is(body.fields[0].field, field, query);
  }
});

test('editors create articles and versions; a version dated later is in force only from its date; agents cannot write', async (t) => {
  const article = { pairId: 'test-pallets', kind: 'guide', lang: 'en', title: 'Pallet jacks on request', body: 'Drivers bring a pallet jack when the booking asks for one.', tags: ['pallet'], categories: ['order'], effectiveFrom: '2026-01-01' };
  t.is((await api(stack, 'POST', '/v1/kb/articles', { payload: article, as: await agent() })).status, 403);
  const created = await api(stack, 'POST', '/v1/kb/articles', { payload: article, as: await editor() });
  t.is(created.status, 201);
  t.like(created.body, { articleId: 'test-pallets-en', version: 1, inForce: true, createdBy: 'kb-editor' });
  t.is((await api(stack, 'POST', '/v1/kb/articles', { payload: article, as: await editor() })).status, 409);

  const invalid = await api(stack, 'POST', '/v1/kb/articles', { payload: { ...article, pairId: 'Bad Id', kind: 'novel' }, as: await editor() });
  t.is(invalid.status, 400);
  t.deepEqual(invalid.body.fields.map((f: { field: string }) => f.field).sort(), ['kind', 'pairId']);
  const noRates = await api(stack, 'POST', '/v1/kb/articles', { payload: { ...article, pairId: 'test-rates', kind: 'rate_table' }, as: await editor() });
  t.is(noRates.status, 400);
  t.is(noRates.body.fields[0].field, 'body');

  const future = await api(stack, 'PUT', '/v1/kb/articles/test-pallets-en', { payload: { title: 'Pallet jacks for every truck', effectiveFrom: '2030-01-01' }, as: await editor() });
  t.is(future.status, 201);
  t.like(future.body, { version: 2, inForce: false, title: 'Pallet jacks for every truck', body: article.body });
  t.is((await search({ q: 'pallet jack' }))[0]!.version, 1);
  t.is((await search({ q: 'pallet jack', at: '2030-02-01' }))[0]!.version, 2);
  const both = await search({ q: 'pallet jack', history: 'true' });
  t.deepEqual(both.map((r) => [r.version, r.inForce]), [[1, true], [2, false]]);
  t.like((await api(stack, 'GET', '/v1/kb/articles/test-pallets-en', { as: await agent() })).body, { version: 1 });

  t.is((await api(stack, 'PUT', '/v1/kb/articles/test-pallets-en', { payload: { lang: 'zh' }, as: await editor() })).status, 400);
  t.is((await api(stack, 'PUT', '/v1/kb/articles/no-such-article', { payload: { title: 'x' }, as: await editor() })).status, 404);
  t.is((await api(stack, 'GET', '/v1/kb/articles/no-such-article', { as: await agent() })).status, 404);
});

test('zh and en texts of an article link to each other', async (t) => {
  const { body } = await api(stack, 'GET', '/v1/kb/articles/fare-waiting-en', { as: await agent() });
  t.deepEqual(body.translations.map((x: { articleId: string; lang: string }) => [x.articleId, x.lang]), [['fare-waiting-zh', 'zh']]);
});

test('one source of truth: changing the waiting-fee rate in its article changes what agents read and what a fee-dispute ticket refunds', async (t) => {
  const waitingFee = (o: { fees: Array<{ code: string; amount: number }> }) => o.fees.filter((f) => f.code === 'waiting_fee').reduce((s, f) => s + f.amount, 0);
  const order = await orderOf(stack, 'correct_bill', (o) => o.vehicleType === 'minivan' && o.waiting.actualMinutes - o.waiting.freeMinutes >= 3 && waitingFee(o) > 0);
  t.is(order.waiting.ratePerMinute, 100); // the sandbox billed with the seeded table
  const before = await api(stack, 'GET', '/v1/kb/articles/fare-waiting-zh', { as: await agent() });
  t.regex(before.body.body, /waitingRatePerMinute: \{ minivan: 100,/);

  const changed = before.body.body.replace('waitingRatePerMinute: { minivan: 100,', 'waitingRatePerMinute: { minivan: 80,');
  const put = await api(stack, 'PUT', '/v1/kb/articles/fare-waiting-zh', { payload: { body: changed, effectiveFrom: '2026-09-01' }, as: await editor() });
  t.is(put.status, 201);
  const after = await api(stack, 'GET', '/v1/kb/articles/fare-waiting-zh', { as: await agent() });
  t.like(after.body, { version: 2, inForce: true });
  t.regex(after.body.body, /waitingRatePerMinute: \{ minivan: 80,/);

  const billable = order.waiting.actualMinutes - order.waiting.freeMinutes;
  const created = await postTicket(stack, { text: '等候费收多了,不合理', orderId: order.id, userId: order.userId });
  t.is(created.status, 201);
  const waiting = await waitForStatus(stack, created.body.tickets[0].id, 'awaiting_confirmation');
  t.like(waiting.live, { solution: { kind: 'refund', amountFen: waitingFee(order) - billable * 80 } });
});

test('one source of truth: changing a lateness band in its article changes what agents read, what a late-arrival ticket proposes and what it pays', async (t) => {
  // 60–119 minutes late: the SOP's policy copy says 2000 fen; the article will say 2600
  const order = await orderOf(stack, 'late_arrival', (o) => driverLateMinutes(o) >= 60 && driverLateMinutes(o) < 120);
  const before = await api(stack, 'GET', '/v1/kb/articles/late-compensation-en', { as: await agent() });
  t.regex(before.body.body, /lateBand60Fen: 2000 /);
  const changed = before.body.body.replace('lateBand60Fen: 2000 ', 'lateBand60Fen: 2600 ');
  const put = await api(stack, 'PUT', '/v1/kb/articles/late-compensation-en', { payload: { body: changed, effectiveFrom: '2026-09-01' }, as: await editor() });
  t.is(put.status, 201);
  const after = await api(stack, 'GET', '/v1/kb/articles/late-compensation-en', { as: await agent() });
  t.like(after.body, { version: 2, inForce: true });
  t.regex(after.body.body, /lateBand60Fen: 2600 /);

  const created = await postTicket(stack, { text: '司机迟到了很久,耽误了我的事', orderId: order.id, userId: order.userId });
  t.is(created.status, 201);
  const ticketId = created.body.tickets[0].id as string;
  const waiting = await waitForStatus(stack, ticketId, 'awaiting_confirmation');
  t.like(waiting.live, { solution: { kind: 'coupon', amountFen: 2600, cause: 'late_arrival' } });
  // the paying activity's allowance reads the same table: the whole 2600 is paid, not capped at the SOP's 2000
  t.is((await confirm(stack, ticketId, { accepted: true })).status, 202);
  await waitForStatus(stack, ticketId, 'closed');
  const coupons = await stack.finance.listCoupons({ orderId: order.id, cause: 'late_arrival' });
  t.deepEqual(coupons.map((c) => c.amount), [2600]);
});
