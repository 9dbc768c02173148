// `npm run demo` against a running system (here the test stack listening on a port, with the development
// team seeded and the credentials file `npm start` would write): it sends its tickets through the API, acts
// as agents and users until they close, and reports it on its progress line.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { inArray, sql } from 'drizzle-orm';
import { projectRoot } from '../config';
import { intakeRequests, ticketEvents, tickets } from '../schema';
import { seedDevTeam } from '../scripts/dev-team';
import { startTestStack, type TestStack } from './helpers/stack';

let stack: TestStack;
test.before(async () => {
  stack = await startTestStack({ policy: { confirmationTimeout: 60_000 } });
});
test.after.always(async () => {
  await stack?.close();
});

test('the demo drives tickets through the real API and workflows to their end, with its own users and agents', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ticketflow-demo-'));
  fs.writeFileSync(path.join(dataDir, 'credentials.json'), JSON.stringify({ serviceKey: stack.auth.service, adminToken: stack.auth.admin }));
  await seedDevTeam(stack.db, dataDir);
  const url = await stack.app.listen({ port: 0, host: '127.0.0.1' });
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', path.join(projectRoot, 'scripts/demo.ts'), '--tickets', '4', '--days', '1', '--day-seconds', '2', '--url', url, '--sandbox-url', stack.config.orderApiUrl!, '--data-dir', dataDir, '--seed', '3', '--ticket-timeout-seconds', '90'],
    { cwd: projectRoot, timeout: 150_000 },
  );
  t.regex(stdout, /^demo: 4 tickets over 1 simulated days/m);
  const final = stderr.trim().split('\n').at(-1)!;
  t.regex(final, /100% sent 4\/4 · closed \d+/, final);
  t.notRegex(final, /errors/, final);

  // what it did is in the read model: four requests of the demo's service, their tickets closed, people acted on them
  const requests = await stack.db.select({ id: intakeRequests.requestId }).from(intakeRequests).where(sql`${intakeRequests.requestId} like '%~demo-3-%'`);
  t.is(requests.length, 4);
  const made = await stack.db.select({ id: tickets.id, status: tickets.status }).from(tickets).where(inArray(tickets.requestId, requests.map((r) => r.id)));
  const closed = Number(/closed (\d+)/.exec(final)![1]);
  t.is(made.filter((m) => m.status === 'closed').length, closed);
  t.true(closed >= 1, final);
  const acted = await stack.db
    .select({ kind: ticketEvents.kind })
    .from(ticketEvents)
    .where(inArray(ticketEvents.ticketId, made.map((m) => m.id)));
  // an agent's decision or a user's answer (a confirmation is a `signal` event)
  t.true(acted.some((e) => e.kind === 'decided' || e.kind === 'signal'), JSON.stringify([...new Set(acted.map((e) => e.kind))]));
});
