// SMS gateway sandbox: send, validate, list, and one message per Idempotency-Key.
import test from 'ava';
import { createSmsClient } from '../integrations/sms';
import { ExternalSystemError } from '../integrations/http';
import { withSandbox } from './helpers/sandbox';

test('sms: send, validate, list by recipient', async (t) => {
  await withSandbox(async (sb) => {
    const sms = createSmsClient(sb.smsApiUrl);
    const m = await sms.send('13800138000', '【货运】您的工单T-1已处理', 'sms-1');
    t.regex(m.id, /^SMS-/);
    t.is(m.to, '13800138000');
    await sms.send('+8613912345678', 'hello', 'sms-2');
    t.is((await sms.list()).length, 2);
    t.deepEqual((await sms.list('13800138000')).map((x) => x.id), [m.id]);
    const badPhone = await t.throwsAsync(sms.send('12345', 'x', 'sms-3'), { instanceOf: ExternalSystemError });
    t.is(badPhone.status, 400);
    t.is(badPhone.system, 'sms');
    t.false(badPhone.retryable);
    const empty = await t.throwsAsync(sms.send('13800138000', '  ', 'sms-4'), { instanceOf: ExternalSystemError });
    t.is(empty.status, 400);
  });
});

test('sms: the same Idempotency-Key sends once and returns the original message, also after a fault that lost the answer', async (t) => {
  await withSandbox(async (sb) => {
    const sms = createSmsClient(sb.smsApiUrl);
    const first = await sms.send('13800138000', '[Ticketflow] page', 'page-1');
    const again = await sms.send('13800138000', '[Ticketflow] page', 'page-1');
    t.deepEqual(again, first);
    t.is(again.idempotencyKey, 'page-1');
    const reused = await t.throwsAsync(sms.send('13800138000', 'another text', 'page-1'), { instanceOf: ExternalSystemError });
    t.is(reused.status, 422);
    t.is(reused.code, 'idempotency_key_reused');
    // the gateway stored the message but the answer was lost: the retry gets that message, not a second one
    await fetch(`${sb.smsApiUrl}/_faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext: 1, mode: 'after' }) });
    await t.throwsAsync(sms.send('13800138001', 'after fault', 'page-2'), { instanceOf: ExternalSystemError });
    const retried = await sms.send('13800138001', 'after fault', 'page-2');
    t.is(retried.text, 'after fault');
    t.deepEqual((await sms.list()).map((m) => m.idempotencyKey), ['page-1', 'page-2']);
    t.not((await sms.send('13800138000', '[Ticketflow] page', 'page-3')).id, first.id);
  });
});
