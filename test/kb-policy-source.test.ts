// One source of truth for the SOP policy values the workflow itself reads: the fee dispute's automatic-refund
// limit and the late-arrival agent's coupon ceiling come from their rate-table articles (policyFrom), read when a
// ticket starts. Changing the article through the API changes what agents read and what a new ticket decides; a
// ticket already running keeps the values it started with. Real Temporal and PostgreSQL; serial because both
// tests publish article versions that every later ticket of this file reads.
import test from 'ava';
import { driverLateMinutes } from '../domain/fee-dispute';
import { allowanceFen } from '../domain/money-policy';
import type { Order } from '../integrations/types';
import { policyInForce } from '../activities/rates';
import { loadDefaultSops } from '../sops/load';
import { decide, waitForLive, waitingForDecision } from './helpers/flows';
import { startTestStack, type TestStack } from './helpers/stack';
import { api, confirm, orderOf, postTicket, waitForStatus } from './helpers/tickets';

let stack: TestStack;
test.before(async () => {
  // a long confirmation window: the first ticket waits for its answer while the second runs
  stack = await startTestStack({ policy: { confirmationTimeout: 120_000 } });
});
test.after.always(async () => {
  await stack?.close();
});

const agent = () => stack.auth.staff('kb-agent', 'agent');
const editor = () => stack.auth.staff('kb-editor', 'editor');
const fallbackOf = (type: string, name: string) => loadDefaultSops().find((d) => d.type === type)!.policy![name] as number;

/** Publishes a new version of a rate-table article with one line of its rates block changed; returns the body agents then read. */
async function changeRate(articleId: string, from: string, to: string): Promise<string> {
  const before = await api(stack, 'GET', `/v1/kb/articles/${articleId}`, { as: await agent() });
  if (!before.body.body.includes(from)) throw new Error(`${articleId} does not contain ${from}`);
  const put = await api(stack, 'PUT', `/v1/kb/articles/${articleId}`, { payload: { body: before.body.body.replace(from, to), effectiveFrom: '2026-09-01' }, as: await editor() });
  if (put.status !== 201) throw new Error(`PUT ${articleId} answered ${put.status}: ${JSON.stringify(put.body)}`);
  const after = await api(stack, 'GET', `/v1/kb/articles/${articleId}`, { as: await agent() });
  return after.body.body as string;
}

async function open(text: string, order: Order): Promise<string> {
  const created = await postTicket(stack, { text, orderId: order.id, userId: order.userId });
  if (created.status !== 201) throw new Error(`POST /v1/tickets answered ${created.status}: ${JSON.stringify(created.body)}`);
  return created.body.tickets[0].id as string;
}

test.serial('the automatic-refund limit comes from the fee-dispute-limits article: lowered there, an overcharge that was automatic goes to the fee team and an agent refund needs a supervisor; a running ticket keeps its limit', async (t) => {
  const overcharge = (o: Order) => allowanceFen('overcharge', o, {}, 'policy');
  const bundledLimit = fallbackOf('fee_dispute', 'autoRefundLimitFen');
  const fits = (o: Order) => overcharge(o) > 150 && overcharge(o) <= bundledLimit;
  // before: the bundled limit (¥500) makes the overcharge an automatic refund proposal
  const early = await orderOf(stack, 'waiting_fee_overcharged', fits);
  const earlyTicket = await open('等候费多收了,请退款', early);
  t.like((await waitForStatus(stack, earlyTicket, 'awaiting_confirmation')).live.solution, { kind: 'refund', amountFen: overcharge(early) });

  const body = await changeRate('fee-dispute-limits-zh', `autoRefundLimitFen: ${bundledLimit} `, 'autoRefundLimitFen: 100 ');
  t.regex(body, /autoRefundLimitFen: 100 /);

  // after: the same kind of overcharge is above the article's ¥1 and goes to the fee team (the matching activity)
  const late = await orderOf(stack, 'waiting_fee_overcharged', (o) => o.id !== early.id && fits(o));
  const lateTicket = await open('等候费多收了,请退款', late);
  await waitForLive(stack, lateTicket, waitingForDecision('fee_group'));
  // the workflow's own decision reads the same limit: ¥1.50 is above it, so a supervisor must approve
  t.is((await decide(stack, lateTicket, { decision: 'refund', agentId: 'F-1', data: { amountFen: 150 } })).status, 202);
  t.like(await waitForLive(stack, lateTicket, waitingForDecision('supervisor_group')), { step: 'refund_approval' });

  // the ticket opened before the change keeps the ¥500 it started with: the same ¥1.50 refund needs no approval
  t.is((await confirm(stack, earlyTicket, { accepted: false })).status, 202);
  await waitForLive(stack, earlyTicket, waitingForDecision('fee_group'));
  t.is((await decide(stack, earlyTicket, { decision: 'refund', agentId: 'F-1', data: { amountFen: 150 } })).status, 202);
  const offered = await waitForStatus(stack, earlyTicket, 'awaiting_confirmation');
  t.is(offered.live.step, 'await_review_confirmation');
});

test.serial('the late-arrival agent\'s coupon ceiling comes from the late-compensation article: lowered there, an amount above it is refused with the reason', async (t) => {
  const bundledCeiling = fallbackOf('late_arrival', 'lateBand120Fen');
  t.is(bundledCeiling, 5000);
  const body = await changeRate('late-compensation-zh', 'lateBand120Fen: 5000 ', 'lateBand120Fen: 4000 ');
  t.regex(body, /lateBand120Fen: 4000 /);

  const order = await orderOf(stack, 'late_arrival', (o) => driverLateMinutes(o) >= 30 && driverLateMinutes(o) < 60);
  const ticketId = await open('司机迟到了很久,耽误了我的事', order);
  await waitForStatus(stack, ticketId, 'awaiting_confirmation');
  t.is((await confirm(stack, ticketId, { accepted: false })).status, 202);
  await waitForLive(stack, ticketId, waitingForDecision('order_exception_group'));
  // 4001 was within the SOP document's ceiling (5000); the article's 4000 refuses it
  const refused = await decide(stack, ticketId, { decision: 'coupon', agentId: 'E-1', data: { amountFen: 4_001 } });
  t.is(refused.status, 409);
  t.regex(JSON.stringify(refused.body), /amountFen must be ≤ 4000, got 4001/);
  t.is((await decide(stack, ticketId, { decision: 'coupon', agentId: 'E-1', data: { amountFen: 4_000 } })).status, 202);
  const offered = await waitForStatus(stack, ticketId, 'awaiting_confirmation');
  t.regex(offered.events.filter((e: { kind: string }) => e.kind === 'notified').at(-1).data.message, /40\.00/);
});

test.serial('precedence: the environment\'s override beats the article, the article beats the document; without a table in force, or with a key missing or of another type, the document\'s value counts', async (t) => {
  const fee = loadDefaultSops().find((d) => d.type === 'fee_dispute')!;
  const now = new Date();
  // the first test of this file set the article's limit to 100 (the document says 50000)
  t.is((await policyInForce(stack.db, fee, now, {})).autoRefundLimitFen, 100);
  t.is((await policyInForce(stack.db, fee, now, { autoRefundLimitFen: 7 })).autoRefundLimitFen, 7);
  // in 2025 no fee-dispute-limits table was in force (it starts 2026-01-01): the document's value
  t.is((await policyInForce(stack.db, fee, new Date('2025-06-01'), {})).autoRefundLimitFen, 50_000);
  const misbound = { ...fee, policyFrom: { autoRefundLimitFen: { article: 'fee-dispute-limits', key: 'noSuchKey' }, rejectionsBeforeSupervisor: { article: 'no-such-table' } } };
  const policy = await policyInForce(stack.db, misbound, now, {});
  t.is(policy.autoRefundLimitFen, 50_000);
  t.is(policy.rejectionsBeforeSupervisor, 2);
  const wrongType = { ...fee, policy: { ...fee.policy, maxCouponFen: 'ask a supervisor' } };
  t.is((await policyInForce(stack.db, wrongType, now, {})).maxCouponFen, 'ask a supervisor');
});
