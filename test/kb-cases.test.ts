// Past cases: a fee-dispute ticket that closes becomes a case article (problem with personal data masked,
// classification, SOP and version, solution, amount, outcome), findSimilarCases finds it for a like text, and the
// next fee-dispute proposal cites it with the policy article it applied. A rating joins the case as a new version, and
// a case its user rated low ranks after the well-rated ones.
import test from 'ava';
import { createKbActivities } from '../activities/kb';
import { startTestStack, type TestStack } from './helpers/stack';
import { poll } from './helpers/flows';
import { api, confirm, orderOf, postTicket, userOf, waitForStatus } from './helpers/tickets';

let stack: TestStack;
test.before(async () => {
  stack = await startTestStack({ policy: { reopenWindow: 120_000 } }); // a closed ticket takes its rating within the window
});
test.after.always(async () => {
  await stack?.close();
});

test('a closed ticket becomes a case; findSimilarCases returns it, resolved cases first, within the SOP type', async (t) => {
  const order = await orderOf(stack, 'waiting_fee_overcharged');
  const created = await postTicket(stack, { text: '等候费多收了,我只等了几分钟,回电13812345678', orderId: order.id, userId: order.userId });
  t.is(created.status, 201);
  const ticketId = created.body.tickets[0].id as string;
  const similar = createKbActivities(stack.db);
  t.deepEqual((await similar.findSimilarCases({ text: '等候费多收了', sopType: 'fee_dispute' })).cases, []); // nothing closed yet

  const waiting = await waitForStatus(stack, ticketId, 'awaiting_confirmation');
  const refundFen = waiting.live.solution.amountFen as number;
  t.true(refundFen > 0);
  t.is((await confirm(stack, ticketId, { accepted: true })).status, 202);
  await waitForStatus(stack, ticketId, 'closed');

  const articleId = `case-${ticketId.toLowerCase()}`;
  const staff = await stack.auth.staff('kb-case-reader', 'editor');
  const { status, body } = await api(stack, 'GET', `/v1/kb/articles/${articleId}`, { as: staff });
  t.is(status, 200, JSON.stringify(body));
  t.like(body, { kind: 'case', lang: 'zh', version: 1, sopTypes: ['fee_dispute'], createdBy: 'system:cases' });
  t.regex(body.body, /等候费多收了/);
  t.notRegex(body.body, /13812345678/); // editors read cases: no phone numbers
  t.regex(body.body, new RegExp(`amountFen: ${refundFen}\\b`));
  t.regex(body.body, /outcome: resolved/);
  t.regex(body.body, /SOP fee_dispute v1/);

  const { cases } = await similar.findSimilarCases({ text: '等候时间不长却收了很多等候费', sopType: 'fee_dispute' });
  t.like(cases[0], { articleId, ticketId, sopType: 'fee_dispute', solution: 'refund', amountFen: refundFen, outcome: 'resolved' });
  t.deepEqual((await similar.findSimilarCases({ text: '等候费多收了', sopType: 'late_arrival' })).cases, []);

  // the next such ticket's proposal cites the policy article it applied and the resolved case with its outcome
  const next = await orderOf(stack, 'waiting_fee_overcharged', (o) => o.id !== order.id);
  const second = await postTicket(stack, { text: '等候费多收了,司机没等多久', orderId: next.id, userId: next.userId });
  const proposed = await waitForStatus(stack, second.body.tickets[0].id, 'awaiting_confirmation');
  const match = proposed.events.find((e: { step: string; kind: string }) => e.step === 'match_solution' && e.kind === 'completed');
  t.like(match.data.result, { solution: { kind: 'refund' }, policyArticle: 'policy-fee-dispute-zh@v1' });
  t.deepEqual(match.data.result.similarCases, [{ ticketId, outcome: 'resolved', solution: 'refund', amountFen: refundFen }]);
  t.like(cases[0], { rating: null, ratedLow: false }); // not rated yet

  // both resolved: rate the one that ranks first low and the other well, and their order turns
  const secondId = second.body.tickets[0].id as string;
  t.is((await confirm(stack, secondId, { accepted: true })).status, 202);
  await waitForStatus(stack, secondId, 'closed');
  const query = { text: '等候费多收了', sopType: 'fee_dispute' };
  const before = (await similar.findSimilarCases(query)).cases.map((c) => c.ticketId);
  t.deepEqual([...before].sort(), [ticketId, secondId].sort());
  const [first, other] = before as [string, string];
  const rate = async (id: string, payload: object) => api(stack, 'POST', `/v1/tickets/${id}/rating`, { payload, as: { token: stack.auth.service, onBehalfOf: await userOf(stack, id) } });
  const low = await rate(first, { score: 2, reason: 'not_solved' });
  t.is(low.status, 202, JSON.stringify(low.body));
  t.is((await rate(other, { score: 5 })).status, 202);
  const after = await poll('both ratings in the cases', async () => {
    const found = (await similar.findSimilarCases(query)).cases;
    return found.every((c) => c.rating) ? found : undefined;
  }, 20_000);
  t.deepEqual(after.map((c) => c.ticketId), [other, first]);
  t.like(after[0], { rating: 5, ratedLow: false });
  t.like(after[1], { rating: 2, ratedLow: true });
  const rated = await api(stack, 'GET', `/v1/kb/articles/case-${first.toLowerCase()}`, { as: staff });
  t.is(rated.body.version, 2); // written at the close, again with the rating
  t.regex(rated.body.body, /用户评分: 2\/5\(差评,已转复核\)/);
});
