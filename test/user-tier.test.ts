// The user's tier comes from the user system, not from what the caller claims: it sets the ticket's tier,
// its priority and the goodwill a correct bill earns; a claim is only a zero-point hint for agents.
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { createIntakeActivities } from '../activities/intake';
import type { UserProfile } from '../integrations/types';
import { createUserSystemClient } from '../integrations/users';
import { orderDealer } from './helpers/money';
import { startTestStack, type TestStack } from './helpers/stack';
import { postTicket, waitForStatus } from './helpers/tickets';

let stack: TestStack;
test.before(async () => {
  stack = await startTestStack();
});
test.after.always(async () => {
  await stack?.close();
});

const freshOrder = orderDealer(() => stack);
const usersOf = async (tier: string) => (await (await fetch(`${stack.sandbox.userApiUrl}/users?tier=${tier}`)).json()) as UserProfile[];
const factorsOf = (row: { priorityFactors: Array<{ factor: string; points: number; detail: string }> }) => new Map(row.priorityFactors.map((f) => [f.factor, f]));
const BILL_TEXT = '费用好像不对,请帮我核实一下账单';

test('a vip of the user system gets the vip tier, priority and goodwill without claiming it', async (t) => {
  const vips = new Set((await usersOf('vip')).map((u) => u.id));
  const order = await freshOrder('correct_bill', (o) => vips.has(o.userId));
  const created = await postTicket(stack, { text: BILL_TEXT, orderId: order.id, userId: order.userId });
  const waiting = await waitForStatus(stack, created.body.tickets[0].id, 'awaiting_confirmation');
  t.is(waiting.ticket.userTier, 'vip');
  t.like(factorsOf(waiting.ticket).get('user_tier'), { detail: 'vip customer' });
  t.false(factorsOf(waiting.ticket).has('claimed_tier'));
  t.like(waiting.live.solution, { kind: 'coupon', cause: 'goodwill' });
});

test('a standard user claiming enterprise stays standard: no tier points, no goodwill, the claim is a hint', async (t) => {
  const standard = new Set((await usersOf('standard')).map((u) => u.id));
  const order = await freshOrder('correct_bill', (o) => standard.has(o.userId));
  const created = await postTicket(stack, { text: BILL_TEXT, orderId: order.id, userId: order.userId, userTier: 'enterprise' });
  const waiting = await waitForStatus(stack, created.body.tickets[0].id, 'awaiting_confirmation');
  t.is(waiting.ticket.userTier, 'standard');
  const factors = factorsOf(waiting.ticket);
  t.false(factors.has('user_tier'));
  t.like(factors.get('claimed_tier'), { points: 0, detail: 'caller claims enterprise; user system: standard' });
  t.like(waiting.live.solution, { kind: 'explanation' });
});

test('an unknown user or an unreachable user system counts as standard (best effort, intake goes on)', async (t) => {
  const created = await postTicket(stack, { text: BILL_TEXT, userId: 'U-nobody', userTier: 'vip' });
  t.is(created.status, 201);
  const row = (await waitForStatus(stack, created.body.tickets[0].id, 'escalated')).ticket;
  t.is(row.userTier, 'standard');
  t.regex(factorsOf(row).get('claimed_tier')!.detail, /caller claims vip; .*default: standard/);

  const unreachable = createIntakeActivities(stack.db, stack.orders, createUserSystemClient('http://127.0.0.1:9/user', { timeoutMs: 500 }));
  const vip = (await usersOf('vip'))[0]!;
  const classification = await unreachable.classifyIntake({ requestId: randomUUID(), text: BILL_TEXT, userId: vip.id, channel: 'app', userTier: 'vip', receivedAt: new Date().toISOString() });
  t.is(classification.userTier, 'standard');
});
