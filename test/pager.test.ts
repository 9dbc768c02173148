// On-call paging under a burst: each group's pager sends one SMS per window listing every ticket
// of the window, and a ticket after the window gets a page of its own.
import test from 'ava';
import { createSmsClient } from '../integrations/sms';
import { pagerWorkflowId, pageText } from '../activities/handoffs';
import { recordHistory, waitForEvent, waitForSms } from './helpers/flows';
import { startTestStack, type TestStack } from './helpers/stack';
import { postTicket } from './helpers/tickets';

const WINDOW_MS = 1_500;
let stack: TestStack;
test.before(async () => {
  stack = await startTestStack({ pagerWindowMs: WINDOW_MS });
});
test.after.always(async () => {
  await stack?.close();
});

async function safetyTicket(n: number): Promise<string> {
  const created = await postTicket(stack, { text: `司机威胁我说要把我的货扔掉,我很害怕,要报警 (${n})`, userId: `U-burst-${n}` });
  if (created.status !== 201 || created.body.tickets[0].sopType !== 'safety_incident') throw new Error(`not a safety ticket: ${JSON.stringify(created.body)}`);
  return created.body.tickets[0].id;
}

test.serial('a burst of safety tickets pages the on-call group once per window with all their ids; a later ticket is paged again', async (t) => {
  const phone = stack.config.onCallPhones.safety_group!;
  const sms = createSmsClient(stack.sandbox.smsApiUrl);
  const burst = await Promise.all([1, 2, 3, 4, 5].map(safetyTicket));
  // every ticket has asked its group's pager to page it
  for (const id of burst) await waitForEvent(stack, id, (e) => e.step === 'page_on_call' && e.kind === 'completed');

  const first = await waitForSms(stack, (m) => m.to === phone);
  t.regex(first.text, /^\[Ticketflow safety_group\] 5 tickets to handle:/);
  for (const id of burst) t.true(first.text.includes(id), id);
  t.is((await sms.list(phone)).length, 1);

  // after the window: a new ticket, a new page with just that ticket
  const later = await safetyTicket(6);
  const second = await waitForSms(stack, (m) => m.to === phone && m.id !== first.id);
  t.regex(second.text, /^\[Ticketflow safety_group\] 1 ticket to handle:/);
  t.true(second.text.includes(later));
  for (const id of burst) t.false(second.text.includes(id), id);
  t.true(Date.parse(second.at) - Date.parse(first.at) >= WINDOW_MS);
  const pages = await sms.list(phone);
  t.is(pages.length, 2);
  t.not(pages[0]!.idempotencyKey, pages[1]!.idempotencyKey);
  await recordHistory(stack, 'pager-burst', pagerWorkflowId(stack.config.temporal.taskQueue, 'safety_group'));
});

test('a page that lists too many ids to fit an SMS still counts them all', (t) => {
  const ids = Array.from({ length: 40 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const text = pageText('safety_group', ids);
  t.true(text.length <= 1000);
  t.true(text.startsWith('[Ticketflow safety_group] 40 tickets to handle:'));
  const listed = ids.filter((id) => text.includes(id)).length;
  t.true(listed > 10);
  t.true(text.endsWith(`(+${40 - listed} more in the safety_group queue)`));
});
