// Satisfaction after close and the review of low ratings, through the real ticket workflow: a rating is
// an event of the ticket (once, within its reopen window); a low one opens a review ticket of the
// review SOP in the QA group's queue with the rating attached; the reviewer's outcome (reopen or
// findings) becomes an event of the rated ticket, which stays open for it.
import test from 'ava';
import { eq } from 'drizzle-orm';
import { reviewTicketIdOf } from '../domain/ratings';
import { deliveryOutbox, tickets } from '../schema';
import { decide, poll, recordHistory, waitForEvent, waitForLive, waitingForDecision } from './helpers/flows';
import { startTestStack, type TestStack } from './helpers/stack';
import { api, confirm, getTicket, orderOf, postTicket, userOf, waitForStatus } from './helpers/tickets';

let stack: TestStack;
test.before(async () => {
  stack = await startTestStack({ policy: { confirmationTimeout: 60_000, reopenWindow: 4_000 } });
});
test.after.always(async () => {
  await stack?.close();
});

const used = new Set<string>();
/** a fee ticket closed by the user's acceptance */
async function closedTicket(): Promise<string> {
  const order = await orderOf(stack, 'waiting_fee_overcharged', (o) => !used.has(o.id));
  used.add(order.id);
  const created = await postTicket(stack, { text: '等候费多收了,我明明只等了一会儿', orderId: order.id, userId: order.userId });
  const id = created.body.tickets[0].id as string;
  await waitForStatus(stack, id, 'awaiting_confirmation');
  t_assert((await confirm(stack, id, { accepted: true })).status === 202, 'confirmed');
  await waitForStatus(stack, id, 'closed');
  return id;
}
function t_assert(ok: boolean, what: string) {
  if (!ok) throw new Error(`setup failed: ${what}`);
}
const rate = async (id: string, payload: object) => api(stack, 'POST', `/v1/tickets/${id}/rating`, { payload, as: { token: stack.auth.service, onBehalfOf: await userOf(stack, id) } });
const running = async (id: string) => (await stack.client.workflow.getHandle(`ticket-${id}`).describe()).status.name;

test.serial('a good rating is an event of the ticket, taken once; bad input gets 400, a second rating 409', async (t) => {
  const id = await closedTicket();
  const missingReason = await rate(id, { score: 2 });
  t.is(missingReason.status, 400);
  t.deepEqual(missingReason.body.fields.map((f: { field: string }) => f.field), ['reason']);
  t.is((await rate(id, { score: 6 })).status, 400);
  t.is((await rate(id, { score: 3, reason: 'because' })).status, 400);

  const answer = await rate(id, { score: 5, comment: '很快,谢谢' });
  t.is(answer.status, 202);
  t.like(answer.body, { ticketId: id, score: 5, reviewTicketId: null });
  const rated = await waitForEvent(stack, id, (e) => e.kind === 'rated');
  t.like(rated, { step: 'survey', actor: `user:${await userOf(stack, id)}`, data: { score: 5, comment: '很快,谢谢', low: false } });
  const retried = await rate(id, { score: 5, comment: '很快,谢谢' });
  t.is(retried.status, 202, 'the same rating sent again (a retry) gets the same answer');
  t.is((await getTicket(stack, id)).body.events.filter((e: { kind: string }) => e.kind === 'rated').length, 1);
  const again = await rate(id, { score: 4 });
  t.is(again.status, 409);
  t.regex(again.body.message, /already rated/);
  t.is((await stack.db.select().from(tickets).where(eq(tickets.id, reviewTicketIdOf(id)))).length, 0, 'no review for a good rating');
});

test.serial('a low rating opens a review in the QA queue with the rating attached; the reviewer reopens the original (second handling)', async (t) => {
  const id = await closedTicket();
  const answer = await rate(id, { score: 1, reason: 'not_solved', comment: '钱还没到账' });
  t.is(answer.status, 202);
  const reviewId = reviewTicketIdOf(id);
  t.like(answer.body, { score: 1, reviewTicketId: reviewId });
  t.like((await waitForEvent(stack, id, (e) => e.kind === 'review_opened')).data, { reviewTicketId: reviewId, group: 'qa_group', score: 1, reason: 'not_solved' });

  // the QA group's queue: a human task of qa_group under the review SOP, the rating on the ticket
  const live = await waitForLive(stack, reviewId, waitingForDecision('qa_group'));
  t.deepEqual(live.waitingFor.decisions, ['reopen_original', 'close_with_findings']);
  const reviewTicket = (await getTicket(stack, reviewId, await stack.auth.staff('QA-1', 'agent'))).body;
  t.like(reviewTicket.ticket, { sopType: 'review', skillGroup: 'qa_group', status: 'in_progress' });
  t.like(reviewTicket.events[0].data, { reviewOf: id, score: 1, reason: 'not_solved', comment: '钱还没到账' });
  const queue = await stack.db.select({ id: tickets.id }).from(tickets).where(eq(tickets.skillGroup, 'qa_group'));
  t.true(queue.some((q) => q.id === reviewId));
  t.is((await stack.db.select().from(deliveryOutbox).where(eq(deliveryOutbox.ticketId, reviewId))).length, 0, 'a review tells the user nothing');

  // the reviewer wants findings written down; then the original is reopened
  const noFindings = await decide(stack, reviewId, { agentId: 'QA-1', decision: 'reopen_original' });
  t.is(noFindings.status, 409);
  const decided = await decide(stack, reviewId, { agentId: 'QA-1', decision: 'reopen_original', data: { findings: '退款失败未跟进' } });
  t.is(decided.status, 202);
  await waitForStatus(stack, reviewId, 'closed');
  const closed = await waitForEvent(stack, id, (e) => e.kind === 'review_closed');
  t.like(closed, { actor: `review:${reviewId}`, data: { reviewTicketId: reviewId, outcome: 'reopen', findings: '退款失败未跟进' } });
  const reopened = await waitForEvent(stack, id, (e) => e.kind === 'reopened');
  t.like(reopened, { actor: `review:${reviewId}`, data: { secondHandling: true, reopens: 1 } });
  t.true(reopened.seq > closed.seq);
  t.like((await getTicket(stack, reviewId)).body.ticket.resolution, { code: 'reopened_original', findings: '退款失败未跟进', reviewedBy: 'QA-1' });
  await recordHistory(stack, 'sop-review', `ticket-${reviewId}`);
  await recordHistory(stack, 'rating-review-reopen', `ticket-${id}`);
});

test.serial('a low rating keeps the ticket open past its reopen window until the review closes with findings', async (t) => {
  const id = await closedTicket();
  t.is((await rate(id, { score: 2, reason: 'slow' })).status, 202);
  const reviewId = reviewTicketIdOf(id);
  await waitForLive(stack, reviewId, waitingForDecision('qa_group'));
  // the reopen window's timer fires (the only timer of this closed ticket: its confirmation came in time)
  await poll('the reopen window to end', async () => ((await stack.client.workflow.getHandle(`ticket-${id}`).fetchHistory()).events ?? []).some((e) => e.timerFiredEventAttributes) || undefined, 15_000);
  t.is(await running(id), 'RUNNING', 'waiting for the review');
  t.is((await decide(stack, reviewId, { agentId: 'QA-2', decision: 'close_with_findings', data: { findings: '处理及时,用户误解到账时间' } })).status, 202);
  t.like((await waitForEvent(stack, id, (e) => e.kind === 'review_closed')).data, { outcome: 'closed', findings: '处理及时,用户误解到账时间' });
  const result = await stack.client.workflow.getHandle(`ticket-${id}`).result();
  t.is(result.status, 'closed');
  await recordHistory(stack, 'rating-review-findings', `ticket-${id}`);
  t.false((await getTicket(stack, id)).body.events.some((e: { kind: string }) => e.kind === 'reopened'));
});

test.serial('ratings are counted by score and by the reason of low scores', async (t) => {
  const since = new Date(Date.now() - 60 * 60_000).toISOString();
  const summary = await api(stack, 'GET', `/v1/ratings/summary?since=${since}`, { as: await stack.auth.staff('SUP-1', 'supervisor') });
  t.is(summary.status, 200);
  // the three ratings of the tests above: 5, 1 (not_solved), 2 (slow)
  t.like(summary.body, { count: 3, average: 2.67, byScore: { 1: 1, 2: 1, 3: 0, 4: 0, 5: 1 }, byReason: { slow: 1, not_solved: 1, unfriendly: 0 }, reviewsOpened: 2 });
  t.is((await api(stack, 'GET', '/v1/ratings/summary?since=yesterday-ish', { as: await stack.auth.staff('SUP-1', 'supervisor') })).status, 400);
  t.is((await api(stack, 'GET', '/v1/ratings/summary')).status, 403, 'services do not read ratings');
});
