// Logs mask phone numbers and e-mail addresses: the API's pino logger (request URLs, messages,
// logged objects, errors, credentials) and the worker's log function, each read from a captured stream.
import test from 'ava';
import { DefaultLogger } from '@temporalio/worker';
import { buildApp } from '../api/app';
import { maskingLogFunction } from '../worker/logging';
import { startTestStack, type TestStack } from './helpers/stack';

let stack: TestStack;
test.before(async () => {
  stack = await startTestStack({ worker: false });
});
test.after.always(async () => {
  await stack?.close();
});

test('the API log masks phones and e-mails in URLs, messages, objects and errors, and never holds a credential', async (t) => {
  const lines: string[] = [];
  const app = await buildApp(
    { temporal: { client: stack.client, connection: stack.connection }, db: stack.db, ping: stack.database.ping, config: stack.config },
    { logStream: { write: (line: string) => void lines.push(line) } },
  );
  t.teardown(() => app.close());
  const response = await app.inject({ method: 'GET', url: '/v1/tickets/13812345678?email=zhang.wei@example.com', headers: { authorization: `Bearer ${stack.auth.service}` } });
  t.is(response.statusCode, 404);
  app.log.info({ user: { phone: '13912345678', note: '回电 13700001111' }, couponCode: 'TF-SECRET' }, 'paging 13698765432 about li.na@example.org');
  app.log.error({ err: new Error('SMS to 13511112222 failed') }, 'send failed');

  const log = lines.join('');
  t.regex(log, /incoming request/);
  t.true(log.includes('/v1/tickets/138****5678?email=z***@example.com'));
  t.true(log.includes('paging 136****5432 about l***@example.org'));
  t.true(log.includes('139****5678'));
  t.true(log.includes('SMS to 135****2222 failed'));
  for (const secret of ['13812345678', 'zhang.wei@example.com', '13912345678', '13700001111', '13698765432', 'li.na@example.org', '13511112222', 'TF-SECRET', stack.auth.service]) {
    t.false(log.includes(secret), secret);
  }
});

test('the worker’s log function writes masked JSON lines with the ticket id, or masked text when pretty', (t) => {
  const lines: string[] = [];
  const logger = new DefaultLogger('INFO', maskingLogFunction((line) => lines.push(line)));
  logger.warn('Activity failed for 13812345678', { workflowId: 'ticket-T-1', workflowRunId: 'run-1', taskToken: 'opaque', input: { phone: '+86 139 1234 5678', email: 'ops@example.com' }, error: new Error('to 13700001111') });
  logger.debug('below the level 13800000000');
  t.is(lines.length, 1);
  const line = JSON.parse(lines[0]!);
  t.like(line, { level: 40, msg: 'Activity failed for 138****5678', ticketId: 'T-1', workflowId: 'ticket-T-1', runId: 'run-1', error: { type: 'Error', message: 'to 137****1111' } });
  t.is(typeof line.time, 'number');
  t.is(line.taskToken, undefined);
  for (const secret of ['13812345678', '1234 5678', 'ops@example.com', '13700001111']) t.false(lines[0]!.includes(secret), secret);
  logger.info('state changed', { msg: 'spoofed', level: 99 });
  t.like(JSON.parse(lines[1]!), { level: 30, msg: 'state changed' });

  const text: string[] = [];
  new DefaultLogger('INFO', maskingLogFunction((l) => text.push(l), 'pretty')).warn('Activity failed for 13812345678', { workflowId: 'ticket-1', email: 'ops@example.com' });
  t.regex(text[0]!, /\[WARN\] Activity failed for 138\*\*\*\*5678 /);
  t.true(text[0]!.includes('ticket-1'));
  for (const secret of ['13812345678', 'ops@example.com']) t.false(text[0]!.includes(secret), secret);
});
