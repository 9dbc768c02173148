// On-call paging under a burst: each group's pager sends one SMS per window listing every ticket
// of the window, and a ticket after the window gets a page of its own.
import test from 'ava';
import { createSmsClient } from '../integrations/sms';
import { pagerWorkflowId, pageText } from '../activities/handoffs';
import { poll, recordHistory, waitForEvent, waitForSms } from './helpers/flows';
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

/** the ticket ids a page lists (the count in its head must agree) */
function pagedIds(text: string): string[] {
  const head = /^\[Ticketflow safety_group\] (\d+) tickets? to handle: /.exec(text);
  if (!head) throw new Error(`not a page: ${text}`);
  const ids = text.slice(head[0].length).split(' ');
  if (ids.length !== Number(head[1])) throw new Error(`page counts ${head[1]} but lists ${ids.length}: ${text}`);
  return ids;
}

// Under load the burst's five workflows can reach page_on_call more than one window apart, so the
// test does not assume one page: it checks what the pager promises whatever the spread — every
// ticket paged exactly once, pages at least one window apart, and a burst batched (not one SMS each).
test.serial('a burst of safety tickets pages the on-call group once per window with all their ids; a later ticket is paged again', async (t) => {
  const phone = stack.config.onCallPhones.safety_group!;
  const sms = createSmsClient(stack.sandbox.smsApiUrl);
  const burst = await Promise.all([1, 2, 3, 4, 5].map(safetyTicket));
  // every ticket has asked its group's pager to page it
  for (const id of burst) await waitForEvent(stack, id, (e) => e.step === 'page_on_call' && e.kind === 'completed');

  const burstPages = await poll('pages for the whole burst', async () => {
    const pages = await sms.list(phone);
    return pages.flatMap((m) => pagedIds(m.text)).length >= burst.length ? pages : undefined;
  }, 20_000);
  const paged = burstPages.flatMap((m) => pagedIds(m.text));
  t.deepEqual([...paged].sort(), [...burst].sort(), 'every ticket of the burst paged exactly once');
  t.true(burstPages.length < burst.length, `batched: ${burstPages.length} pages for ${burst.length} tickets`);
  for (let i = 1; i < burstPages.length; i++) t.true(Date.parse(burstPages[i]!.at) - Date.parse(burstPages[i - 1]!.at) >= WINDOW_MS);

  // after the burst: a new ticket, a new page with just that ticket, a window after the last
  const lastBurstPage = burstPages.at(-1)!;
  const later = await safetyTicket(6);
  const second = await waitForSms(stack, (m) => m.to === phone && !burstPages.some((p) => p.id === m.id));
  t.deepEqual(pagedIds(second.text), [later]);
  t.true(Date.parse(second.at) - Date.parse(lastBurstPage.at) >= WINDOW_MS);
  const pages = await sms.list(phone);
  t.is(pages.length, burstPages.length + 1);
  t.is(new Set(pages.map((p) => p.idempotencyKey)).size, pages.length);
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
