// Notices leave the system: every lifecycle moment and notify step queues outbox rows with its event,
// the drain delivers them in-app, by SMS (sandbox gateway) and by e-mail (a real Mailpit), retries
// without sending twice, honours preferences and quiet hours, and survives a channel that is down.
import test from 'ava';
import { eq } from 'drizzle-orm';
import { createDeliveryDrain } from '../activities/delivery';
import { verifyUserToken } from '../domain/user-token';
import { createSmsClient } from '../integrations/sms';
import { createSmtpMailer } from '../integrations/smtp';
import { createUserSystemClient } from '../integrations/users';
import { freePort } from '../scripts/dev-server';
import { deliveryAttempts, deliveryOutbox } from '../schema';
import { mailsTo, mailText, outboxOf, smsTo, waitForNotice } from './helpers/delivery';
import { waitForEvent } from './helpers/flows';
import { startTestStack, type TestStack } from './helpers/stack';
import { api, orderOf, postTicket, waitForStatus } from './helpers/tickets';

let stack: TestStack;
test.before(async () => {
  stack = await startTestStack({ policy: { confirmationTimeout: 60_000, reopenWindow: 30_000 }, delivery: true });
});
test.after.always(async () => {
  await stack?.close();
});

const users = () => createUserSystemClient(stack.sandbox.userApiUrl);
const asUser = (userId: string) => ({ token: stack.auth.service, onBehalfOf: userId });

async function openFeeTicket(extra: object = {}) {
  const order = await orderOf(stack, 'waiting_fee_overcharged');
  const created = await postTicket(stack, { text: '等候费多收了,我明明只等了一会儿', orderId: order.id, userId: order.userId, ...extra });
  if (created.status !== 201) throw new Error(`POST /v1/tickets answered ${created.status}: ${JSON.stringify(created.body)}`);
  const profile = (await users().getUser(order.userId))!;
  return { order, ticket: created.body.tickets[0] as { id: string }, phone: profile.phone, email: profile.email! };
}

test.serial('a fee dispute reaches the user in-app, by SMS and by e-mail; the proposal carries signed links to its wait', async (t) => {
  const { ticket, order, phone, email } = await openFeeTicket();
  await waitForStatus(stack, ticket.id, 'awaiting_confirmation');
  const proposed = await waitForNotice(stack, ticket.id, 'proposed');
  t.deepEqual(proposed.map((r) => [r.channel, r.status]), [['in_app', 'sent'], ['sms', 'sent'], ['email', 'sent']]);
  const wait = await waitForEvent(stack, ticket.id, (e) => e.kind === 'entered' && e.data.signal === 'confirmation');
  t.is(proposed[0]!.eventSeq, wait.seq, 'the proposal is queued with the entered event of its wait');

  // in-app: received, the SOP's notify step and the proposal, in Chinese
  const inbox = await api(stack, 'GET', `/v1/users/${order.userId}/messages?after=0`, { as: asUser(order.userId) });
  t.is(inbox.status, 200);
  const notices = inbox.body.messages.filter((m: { ticketId: string }) => m.ticketId === ticket.id).map((m: { notice: string }) => m.notice);
  t.deepEqual(notices.sort(), ['notice', 'proposed', 'received']); // one drain pass may store the last two in either order
  const inAppProposal = inbox.body.messages.find((m: { notice: string; ticketId: string }) => m.notice === 'proposed' && m.ticketId === ticket.id);
  t.like(inAppProposal, { title: '请确认处理方案', actions: ['confirm', 'reject'] });
  t.regex(inAppProposal.body, /退还¥\d+\.\d\d。请在\d+月\d+日 \d\d:\d\d前确认/);
  t.notRegex(inAppProposal.body, /confirm=/, 'in-app messages hold no tokens: the app answers with its own key');

  // SMS: one per notice, the proposal with its link
  const sms = (await smsTo(stack, phone)).filter((m) => m.idempotencyKey?.startsWith(`${ticket.id}:`));
  // the SOP's notify step declares no channels: in-app only; lifecycle notices go everywhere
  t.deepEqual(sms.map((m) => m.idempotencyKey!.split(':')[2]).sort(), ['proposed', 'received']);
  const proposalSms = sms.find((m) => m.idempotencyKey === proposed[1]!.dedupeKey)!;
  const link = /(http:\/\/\S+\/confirm\/#\S+)/.exec(proposalSms.text)?.[1];
  t.truthy(link, proposalSms.text);
  const fragment = new URLSearchParams(new URL(link!).hash.slice(1));
  t.is(fragment.get('ticket'), ticket.id);
  const confirmClaims = await verifyUserToken(stack.config.credentials.userTokenSecret!, fragment.get('confirm')!);
  const rejectClaims = await verifyUserToken(stack.config.credentials.userTokenSecret!, fragment.get('reject')!);
  t.like(confirmClaims, { ticketId: ticket.id, userId: order.userId, purpose: 'confirm', waitSeq: wait.seq });
  t.like(rejectClaims, { ticketId: ticket.id, userId: order.userId, purpose: 'reject', waitSeq: wait.seq });
  t.true(confirmClaims.expiresAt.getTime() <= new Date(wait.data.deadline).getTime(), 'the link expires no later than the wait');
  const events = JSON.stringify((await api(stack, 'GET', `/v1/tickets/${ticket.id}`)).body.events);
  t.false(events.includes(fragment.get('confirm')!), 'tokens never reach ticket events');

  // e-mail, read back from the real SMTP server: the same link
  const mails = (await mailsTo(email)).filter((m) => m.MessageID.startsWith(`${ticket.id}.`));
  t.deepEqual(mails.map((m) => m.Subject).sort(), ['您的问题已受理', '请确认处理方案'].sort());
  const mail = await mailText(mails.find((m) => m.Subject === '请确认处理方案')!.ID);
  t.true(mail.Text.includes(link!), 'the e-mail carries the same single-use link as the SMS');
  t.is(mail.MessageID, `${ticket.id}.${wait.seq}.proposed.email@ticketflow`);

  // the link's confirm token answers the wait; resolution and survey follow on every channel
  const answer = await api(stack, 'POST', `/v1/tickets/${ticket.id}/confirmation`, { payload: { accepted: true }, as: fragment.get('confirm')! });
  t.is(answer.status, 202);
  await waitForStatus(stack, ticket.id, 'closed');
  const resolved = await waitForNotice(stack, ticket.id, 'resolved');
  t.true(resolved.every((r) => r.status === 'sent'));
  await waitForNotice(stack, ticket.id, 'survey');
  const after = (await api(stack, 'GET', `/v1/users/${order.userId}/messages?after=${inAppProposal.id}`, { as: asUser(order.userId) })).body.messages;
  const resolvedText = after.find((m: { notice: string }) => m.notice === 'resolved').body as string;
  t.regex(resolvedText, /您反馈的费用争议问题已解决。退款¥\d+\.\d\d将于24小时内到账。/);
  t.deepEqual(after.find((m: { notice: string }) => m.notice === 'survey').actions, ['rate']);
  const surveySms = (await smsTo(stack, phone)).find((m) => m.idempotencyKey?.endsWith(':survey:sms') && m.idempotencyKey.startsWith(ticket.id));
  const rate = new URLSearchParams(new URL(/(http:\/\/\S+)/.exec(surveySms!.text)![1]!).hash.slice(1)).get('rate');
  t.like(await verifyUserToken(stack.config.credentials.userTokenSecret!, rate!), { purpose: 'rate', ticketId: ticket.id, userId: order.userId });
});

test.serial('a retried SMS is not sent twice: the gateway stored it, answered 503, and replays the key on the retry', async (t) => {
  const sms = createSmsClient(stack.sandbox.smsApiUrl);
  const faults = await fetch(`${stack.sandbox.smsApiUrl}/_faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext: 1, mode: 'after' }) });
  t.is(faults.status, 200);
  const { ticket, phone } = await openFeeTicket();
  const [row] = await waitForNotice(stack, ticket.id, 'received', (rows) => rows.some((r) => r.channel === 'sms' && r.status === 'sent')).then((rows) => rows.filter((r) => r.channel === 'sms'));
  t.is(row!.attempts, 2);
  const attempts = await stack.db.select().from(deliveryAttempts).where(eq(deliveryAttempts.outboxId, row!.id));
  t.deepEqual(attempts.map((a) => [a.attempt, a.ok]), [[1, false], [2, true]]);
  t.regex(attempts[0]!.error!, /503|unavailable/);
  const sent = (await sms.list(phone)).filter((m) => m.idempotencyKey === row!.dedupeKey);
  t.is(sent.length, 1, 'one SMS for the two attempts');
});

test.serial('a mail relay down for an hour: retried with backoff, everything delivered once it is back', async (t) => {
  await stack.drain!.stop();
  try {
    const deadPort = await freePort();
    const options = { ...stack.config.delivery, backoffBaseMs: 30_000, backoffMaxMs: 5 * 60_000 };
    const common = { db: stack.db, sms: createSmsClient(stack.sandbox.smsApiUrl), users: users(), userTokenSecret: stack.config.credentials.userTokenSecret, sopPolicyOverrides: stack.config.sopPolicyOverrides, options };
    const down = createDeliveryDrain({ ...common, mailer: createSmtpMailer(`smtp://127.0.0.1:${deadPort}`, { timeoutMs: 2_000 }) });
    const { ticket, email } = await openFeeTicket();
    await waitForEvent(stack, ticket.id, (e) => e.kind === 'created');
    const start = Date.now();
    // an hour of simulated time, one pass a minute: every due e-mail fails and backs off (≤ 5 min)
    for (let minute = 0; minute <= 60; minute++) await down.drainOnce(new Date(start + minute * 60_000));
    const received = (await outboxOf(stack, ticket.id, 'received')).find((r) => r.channel === 'email')!;
    t.is(received.status, 'pending');
    t.regex(received.lastError!, /ECONNREFUSED/);
    t.true(received.attempts >= 12 && received.attempts <= 20, `attempts ${received.attempts}: 30 s doubling to 5 min over an hour`);
    const ofTicket = async () => (await mailsTo(email)).filter((m) => m.MessageID.startsWith(`${ticket.id}.`));
    t.is((await ofTicket()).length, 0);

    const back = createDeliveryDrain({ ...common, mailer: createSmtpMailer(stack.config.delivery.smtpUrl!) });
    while ((await back.drainOnce(new Date(start + 66 * 60_000))) > 0);
    const rows = await stack.db.select().from(deliveryOutbox).where(eq(deliveryOutbox.ticketId, ticket.id));
    const emails = rows.filter((r) => r.channel === 'email');
    const state = Object.fromEntries(emails.map((r) => [r.notice, [r.status, r.lastError]]));
    t.deepEqual(state.received, ['sent', null]);
    // the proposal's wait (60 s here) ended during the outage: its links would be dead, so it is not sent
    t.deepEqual(state.proposed, ['skipped', 'the confirmation wait has passed its deadline']);
    const mails = await ofTicket();
    t.is(mails.length, emails.filter((r) => r.status === 'sent').length, 'each notice arrived once');
    t.is(mails.length, 1);
    t.is(new Set(mails.map((m) => m.MessageID)).size, mails.length);
  } finally {
    stack.drain!.start();
  }
});

test.serial('preferences: SMS turned off is skipped; quiet hours hold e-mail until they end; in-app is stored at once', async (t) => {
  const order = await orderOf(stack, 'correct_bill');
  const hhmm = (d: Date) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
  const quietHours = { start: hhmm(new Date(Date.now() - 3_600_000)), end: hhmm(new Date(Date.now() + 3_600_000)), timeZone: 'Asia/Shanghai' };
  const put = await api(stack, 'PUT', `/v1/users/${order.userId}/preferences`, { payload: { channels: ['email'], quietHours }, as: asUser(order.userId) });
  t.is(put.status, 200);
  t.like(put.body, { channels: ['email'], quietHours });
  const bad = await api(stack, 'PUT', `/v1/users/${order.userId}/preferences`, { payload: { channels: ['fax'] }, as: asUser(order.userId) });
  t.is(bad.status, 400);
  const foreign = await api(stack, 'PUT', `/v1/users/${order.userId}/preferences`, { payload: { channels: [] }, as: asUser('U-someone-else') });
  t.is(foreign.status, 403);

  const created = await postTicket(stack, { text: '等候费多收了,我明明只等了一会儿', orderId: order.id, userId: order.userId });
  const ticketId = created.body.tickets[0].id as string;
  const rows = await waitForNotice(stack, ticketId, 'received', (r) => r.length === 3 && r.every((x) => x.status !== 'pending' || x.lastError?.startsWith('quiet hours')));
  const by = Object.fromEntries(rows.map((r) => [r.channel, r]));
  t.is(by.in_app!.status, 'sent');
  t.like(by.sms, { status: 'skipped', lastError: 'the user turned sms off' });
  t.is(by.email!.status, 'pending');
  t.is(by.email!.attempts, 0, 'waiting for the end of quiet hours is not a failed attempt');
  const endsIn = by.email!.nextAttemptAt.getTime() - Date.now();
  t.true(endsIn > 55 * 60_000 && endsIn <= 61 * 60_000, `held for ${endsIn} ms`);
});

test.serial('urgent: a safety notice ignores quiet hours', async (t) => {
  const order = await orderOf(stack, 'correct_bill');
  const hhmm = (d: Date) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
  const quietHours = { start: hhmm(new Date(Date.now() - 3_600_000)), end: hhmm(new Date(Date.now() + 3_600_000)) };
  t.is((await api(stack, 'PUT', `/v1/users/${order.userId}/preferences`, { payload: { channels: ['sms'], quietHours }, as: asUser(order.userId) })).status, 200);
  const created = await postTicket(stack, { text: '司机威胁我说要把我的货扔掉,我很害怕,要报警', orderId: order.id, userId: order.userId });
  const ticket = created.body.tickets[0] as { id: string; sopType: string };
  t.is(ticket.sopType, 'safety_incident');
  // the SOP's notify step declares in_app and sms
  const notice = await waitForNotice(stack, ticket.id, 'notice');
  t.deepEqual(notice.map((r) => [r.channel, r.status]), [['in_app', 'sent'], ['sms', 'sent']]);
  const phone = (await users().getUser(order.userId))!.phone;
  const sms = (await smsTo(stack, phone)).find((m) => m.idempotencyKey === notice[1]!.dedupeKey);
  t.regex(sms!.text, /安全组正在紧急处理/);
});

test.serial('the in-app stream pushes a new message as a server-sent event, and resumes after Last-Event-ID', async (t) => {
  const address = await stack.app.listen({ port: 0, host: '127.0.0.1' });
  const userId = `U-stream-${Date.now()}`;
  const controller = new AbortController();
  const response = await fetch(`${address}/v1/users/${userId}/messages/stream`, { headers: { authorization: `Bearer ${stack.auth.service}`, 'x-on-behalf-of': userId }, signal: controller.signal });
  t.is(response.status, 200);
  t.regex(response.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = response.body!.getReader();
  const created = await postTicket(stack, { text: '你好,我想问一下开发票的事情', userId, language: 'en' });
  const ticketId = created.body.tickets[0].id as string;
  let text = '';
  const deadline = Date.now() + 15_000;
  while (!/\n\n/.test(text.split('event: message')[1] ?? '') && Date.now() < deadline) text += new TextDecoder().decode((await reader.read()).value);
  controller.abort();
  const event = /id: (\d+)\nevent: message\ndata: (.*)\n\n/.exec(text);
  t.truthy(event, text);
  const message = JSON.parse(event![2]!);
  t.like(message, { ticketId, notice: 'received', language: 'en', title: 'We have received your request' });
  t.regex(message.body, /Next: .* within \d+ (hours?|minutes?)/);

  // resuming after the last id replays nothing already seen; after 0 replays it
  const raw = await stack.app.inject({ method: 'GET', url: `/v1/users/${userId}/messages/stream?maxSeconds=0&after=0`, headers: { authorization: `Bearer ${stack.auth.service}`, 'x-on-behalf-of': userId } });
  t.regex(raw.body, new RegExp(`id: ${event![1]}\\nevent: message`));
  const latest = (await api(stack, 'GET', `/v1/users/${userId}/messages`, { as: asUser(userId) })).body.messages[0].id as number;
  const none = await stack.app.inject({ method: 'GET', url: `/v1/users/${userId}/messages/stream?maxSeconds=0`, headers: { authorization: `Bearer ${stack.auth.service}`, 'x-on-behalf-of': userId, 'last-event-id': String(latest) } });
  t.notRegex(none.body, /event: message/);
});
