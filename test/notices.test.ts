// Notice templates (config/notices.yaml) in both languages, and the handling-time estimate they quote:
// the median of recent closed tickets of the SOP type and group, a documented default without history.
import test from 'ava';
import { estimateHandlingMs, ESTIMATE_MIN_SAMPLE } from '../activities/estimates';
import { describeSolution } from '../activities/delivery-content';
import { formatDuration, loadTemplates, NOTICES, parseTemplates, renderNotice } from '../domain/notices';
import { quietUntil } from '../domain/quiet-hours';
import { intakeRequests, tickets } from '../schema';
import { startTestStack, type TestStack } from './helpers/stack';

const params = {
  ticketId: 'T-1', eta: '2小时', etaAt: '12月2日 14:30', groupName: '费用组', solution: '退还¥10.00。', deadline: '12月3日 09:00',
  topic: '费用争议', outcome: '退款¥10.00将于24小时内到账。', reopenUntil: '12月9日 09:00', surveyUntil: '12月9日 09:00', message: '您好',
};
/** what each notice must tell: what happens next and by when */
const mustSay: Record<string, RegExp> = {
  received: /2小时.*12月2日 14:30/, assigned: /费用组.*2小时.*12月2日 14:30/, proposed: /退还¥10\.00.*12月3日 09:00/, resolved: /费用争议.*退款¥10\.00将于24小时内到账.*12月9日 09:00/,
  escalated: /费用组.*2小时.*12月2日 14:30/, survey: /1.*5.*12月9日 09:00/, notice: /^您好$/,
};

for (const notice of NOTICES) {
  for (const language of ['zh', 'en'] as const) {
    test(`template ${notice} (${language}) fills every placeholder and says what comes next and by when`, (t) => {
      const text = renderNotice(notice, language, params);
      t.true(text.title.length > 2);
      t.notRegex(`${text.title} ${text.body}`, /[{}]/, 'no placeholder left');
      if (language === 'zh') t.regex(text.body, mustSay[notice]!);
      else t.regex(text.body, notice === 'notice' ? /^您好$/ : /(within|before|until|by about)/);
      // the English template itself has no Chinese left in it
      const plain = renderNotice(notice, language, Object.fromEntries(Object.keys(params).map((k) => [k, 'X'])));
      if (language === 'en') t.notRegex(plain.title + plain.body, /[\u4e00-\u9fff]/);
    });
  }
}

test('templates are data: a file without a notice in one language is refused with its name', (t) => {
  const broken = JSON.parse(JSON.stringify(loadTemplates()));
  delete broken.survey.en;
  const error = t.throws(() => parseTemplates(JSON.stringify(broken)));
  t.regex(error!.message, /survey\.en/);
});

test('durations and solutions read naturally in both languages', (t) => {
  t.is(formatDuration(2 * 3_600_000, 'zh'), '2小时');
  t.is(formatDuration(2 * 3_600_000, 'en'), '2 hours');
  t.is(formatDuration(30 * 60_000, 'en'), '30 minutes');
  t.is(formatDuration(3 * 86_400_000, 'zh'), '3天');
  t.is(describeSolution({ kind: 'refund', amountFen: 1000 }, 'zh'), '退还¥10.00。');
  t.is(describeSolution({ kind: 'coupon', amountFen: 500, reason: 'goodwill' }, 'en'), 'a ¥5.00 coupon (goodwill).');
});

test('quiet hours wrap midnight and end at their end', (t) => {
  const q = { start: '22:00', end: '08:00', timeZone: 'Asia/Shanghai' };
  t.is(quietUntil(q, new Date('2026-12-01T15:30:00Z'))?.toISOString(), '2026-12-02T00:00:00.000Z'); // 23:30 in Shanghai → 08:00
  t.is(quietUntil(q, new Date('2026-12-01T23:59:00Z'))?.toISOString(), '2026-12-02T00:00:00.000Z'); // 07:59 → 08:00
  t.is(quietUntil(q, new Date('2026-12-02T00:00:00Z')), null); // 08:00: over
  t.is(quietUntil({ ...q, start: '12:00', end: '13:00' }, new Date('2026-12-01T04:30:00Z'))?.toISOString(), '2026-12-01T05:00:00.000Z');
});

let stack: TestStack;
test.before(async () => {
  stack = await startTestStack({ worker: false });
});
test.after.always(async () => {
  await stack?.close();
});

async function closedTicket(id: string, sopType: string, group: string, handledMs: number, closedAgoMs = 0) {
  const closedAt = new Date(Date.now() - closedAgoMs);
  const createdAt = new Date(closedAt.getTime() - handledMs);
  await stack.db.insert(intakeRequests).values({ requestId: `R-${id}`, userId: 'U-est', channel: 'app', language: 'zh', text: 'x', createdAt }).onConflictDoNothing();
  await stack.db.insert(tickets).values({
    id, requestId: `R-${id}`, workflowId: `ticket-${id}`, category: 'fee_dispute', subtype: 'waiting_fee', skillGroup: group, priority: 3, status: 'closed', channel: 'app', userId: 'U-est',
    userTier: 'standard', language: 'zh', originalText: 'x', issueText: 'x', sopType, sopVersion: 1, createdAt, updatedAt: closedAt, closedAt,
  });
}

test('the estimate is the median handling time of recent closed tickets of that SOP type and group, else the default', async (t) => {
  const DEFAULT = 7_200_000;
  t.deepEqual(await estimateHandlingMs(stack.db, 'fee_dispute', 'est_group', DEFAULT), { ms: DEFAULT, sample: 0 });
  await closedTicket('EST-1', 'fee_dispute', 'est_group', 60 * 60_000);
  await closedTicket('EST-2', 'fee_dispute', 'est_group', 180 * 60_000);
  t.is(ESTIMATE_MIN_SAMPLE, 3);
  t.deepEqual(await estimateHandlingMs(stack.db, 'fee_dispute', 'est_group', DEFAULT), { ms: DEFAULT, sample: 0 }, 'two tickets are too few');
  await closedTicket('EST-3', 'fee_dispute', 'est_group', 120 * 60_000);
  await closedTicket('EST-4', 'fee_dispute', 'est_group', 600 * 60_000);
  // other types and groups do not count
  await closedTicket('EST-5', 'late_arrival', 'est_group', 5 * 60_000);
  await closedTicket('EST-6', 'fee_dispute', 'other_group', 5 * 60_000);
  t.deepEqual(await estimateHandlingMs(stack.db, 'fee_dispute', 'est_group', DEFAULT), { ms: 150 * 60_000, sample: 4 });
});
