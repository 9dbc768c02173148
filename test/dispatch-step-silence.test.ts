// A human_task's own silence rule (`silence: {after, action}`) overrides its group's: the rule reaches the queue
// when the step is entered (the store reads the step from the ticket's SOP version, with this environment's
// policy values), and the dispatcher fires it. Its duration is a policy value set to milliseconds here.
import test from 'ava';
import { applySilenceRules } from '../dispatch/dispatcher';
import { loadDefaultSops } from '../sops/load';
import { agent } from './helpers/dispatch';
import { publishSopVersion, waitForEvent } from './helpers/flows';
import { startTestStack, type TestStack } from './helpers/stack';
import { api, getTicket, postTicket } from './helpers/tickets';

let stack: TestStack;
test.before(async () => {
  // the document says a minute; this environment says 200 ms
  stack = await startTestStack({ policy: { holderSilence: 200 } });
});
test.after.always(async () => {
  await stack?.close();
});

const GROUP = 'claims_group';
const triage = loadDefaultSops().find((d) => d.type === 'triage')!;
const documentWith = (silence?: object) => ({
  type: 'triage',
  name: { zh: '静默规则测试', en: 'Silence rule test' },
  appliesTo: triage.appliesTo,
  start: 'handle',
  policy: { holderSilence: 60_000 },
  steps: {
    handle: { kind: 'human_task', owner: GROUP, group: GROUP, task: { zh: '处理', en: 'Handle it' }, decisions: ['done'], data: {}, ...(silence ? { silence } : {}), next: 'close' },
    close: { kind: 'close', owner: 'system', resolution: 'resolved' },
  },
});

async function heldTicket(document: object, token: string) {
  const published = await publishSopVersion(stack, 'triage', document);
  if (published.status !== 201) throw new Error(`publish: ${published.status} ${JSON.stringify(published.body)}`);
  const created = await postTicket(stack, { text: '你好,在吗?', userId: 'U-silence' });
  const id: string = created.body.tickets[0].id;
  if (created.body.tickets[0].sopVersion !== published.body.version) throw new Error('the ticket runs another version');
  await waitForEvent(stack, id, (e) => e.step === 'handle' && e.kind === 'entered');
  const pulled = await api(stack, 'POST', '/v1/me/next', { as: token });
  if (pulled.body?.assigned?.ticketId !== id) throw new Error(`pull: ${JSON.stringify(pulled.body)}`);
  await waitForEvent(stack, id, (e) => e.kind === 'assigned');
  return id;
}

const kinds = async (id: string) => (await getTicket(stack, id)).body.events.map((e: { kind: string; data: { reason?: string } }) => `${e.kind}${e.data?.reason ? `:${e.data.reason}` : ''}`);

test.serial("the step's rule (notify the supervisors after $holderSilence) fires instead of the group's (remind after an hour)", async (t) => {
  t.is((await api(stack, 'PUT', `/v1/queues/${GROUP}/policy`, { as: stack.auth.admin, payload: { policy: 'pull_only', silenceMs: 3_600_000, silenceAction: 'remind' } })).status, 200);
  const ann = await agent(stack, 'SIL-step-ann', [GROUP]);
  const withRule = await heldTicket(documentWith({ after: '$holderSilence', action: 'notify_supervisor' }), ann);
  const groupOnly = await heldTicket(documentWith(), ann);

  // run the dispatcher's silence pass until the step's rule has fired (200 ms after the assignment)
  const deadline = Date.now() + 20_000;
  let fired = 0;
  while (fired === 0 && Date.now() < deadline) {
    fired = await applySilenceRules(stack.client, stack.db);
    if (fired === 0) await new Promise((r) => setTimeout(r, 100));
  }
  t.is(fired, 1, 'one holding was silent past its rule');
  const notified = await waitForEvent(stack, withRule, (e) => e.kind === 'notified' && e.data.reason === 'holder_silent');
  t.like(notified.data, { to: 'supervisor_group', holder: 'SIL-step-ann' });
  t.true(notified.data.silentMs >= 200, String(notified.data.silentMs));
  t.false((await kinds(withRule)).includes('reminded:holder_silent'), "the group's action did not run");
  // the step without a rule keeps the group's (an hour): nothing fired for it
  t.deepEqual((await kinds(groupOnly)).filter((k: string) => k.endsWith('holder_silent')), []);
  // the rule fires once per holding
  t.is(await applySilenceRules(stack.client, stack.db), 0);
});

test.serial("an agent's escalation leaves the step's rule behind: the supervisor who takes the ticket follows the supervisors' group rule", async (t) => {
  const ann = await agent(stack, 'SIL-esc-ann', [GROUP]);
  const sup = await agent(stack, 'SIL-esc-sup', ['supervisor_group'], { role: 'supervisor' });
  const id = await heldTicket(documentWith({ after: '$holderSilence', action: 'notify_supervisor' }), ann);
  t.is((await api(stack, 'POST', `/v1/tickets/${id}/escalate`, { as: ann, payload: { reason: '超出权限' } })).status, 200);
  t.is((await api(stack, 'POST', `/v1/tickets/${id}/assign`, { as: sup, payload: {} })).status, 200);
  await waitForEvent(stack, id, (e) => e.kind === 'assigned' && e.data.agentId === 'SIL-esc-sup');
  await new Promise((r) => setTimeout(r, 400)); // past the step's 200 ms; supervisor_group has no silence rule here
  await applySilenceRules(stack.client, stack.db);
  t.deepEqual((await kinds(id)).filter((k: string) => k.endsWith('holder_silent')), []);
});
