// The SOP validator: every rule with a minimal broken document, several errors at once, and the defaults.
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { loadDefaultSops } from '../sops/load';
import { validateSop } from '../sops/validate';
import type { SopValidationError } from '../sops/types';

type Steps = Record<string, Record<string, unknown>>;

/** A minimal document around some steps: start 'a', a close step 'c' to end in. */
function doc(steps: Steps, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'demo',
    name: { zh: '示例', en: 'Demo' },
    appliesTo: ['demo/*'],
    start: 'a',
    policy: { wait: 60_000, label: 'text' },
    steps: { ...steps, c: { kind: 'close', owner: 'system', resolution: 'resolved', ...(steps.c ?? {}) } },
    ...extra,
  };
}

const close = { kind: 'close', owner: 'system', resolution: 'resolved' };
const fetchOrder = (over: Record<string, unknown> = {}) => ({ kind: 'action', owner: 'system', sla: '5m', action: 'fetchOrder', input: { orderId: { var: 'ticket.orderId' } }, output: 'order', next: 'c', ...over });
const waitConfirm = (over: Record<string, unknown> = {}) => ({ kind: 'wait_signal', owner: 'user', signal: 'confirmation', timeout: '$wait', output: 'confirmation', next: 'c', onTimeout: 'c', ...over });
const decide = (over: Record<string, unknown> = {}) => ({ kind: 'decision', owner: 'system', branches: [{ when: { '!!': { var: 'ticket.orderId' } }, next: 'c' }], otherwise: 'c', ...over });
const humanTask = (over: Record<string, unknown> = {}) => ({
  kind: 'human_task', owner: 'fee_group', group: 'fee_group', sla: '4h', task: { zh: '审核', en: 'Review' }, decisions: ['yes', 'no'], output: 'review', next: { yes: 'c', no: 'c' }, ...over,
});
const notify = (over: Record<string, unknown> = {}) => ({ kind: 'notify', owner: 'system', to: 'user', message: { zh: '你好 {{ticket.userId}}', en: 'Hello {{ticket.userId}}' }, next: 'c', ...over });
/** An escalation to the fee team that goes on to a fee-team human task `r` (add `r: humanTask()` to the document). */
const escalate = (over: Record<string, unknown> = {}) => ({ kind: 'escalate', owner: 'system', to: 'fee_group', level: 1, reason: 'why', next: 'r', ...over });

/** Exactly one error, at this path, about this step, whose message matches. */
function only(t: import('ava').ExecutionContext, document: unknown, path: string, step: string | undefined, message: RegExp) {
  const { valid, errors, document: out } = validateSop(document);
  t.false(valid);
  t.is(out, undefined);
  t.is(errors.length, 1, JSON.stringify(errors, null, 1));
  const [e] = errors as [SopValidationError];
  t.is(e.path, path);
  t.is(e.step, step);
  t.regex(e.message, message);
}

test('a minimal document with every step kind is valid and comes back as the document', (t) => {
  const d = doc({
    a: fetchOrder({ next: 'd', onError: 'e' }),
    d: decide({ branches: [{ when: { '!!': { var: 'order' } }, next: 'h' }], otherwise: 'e' }),
    h: humanTask({ onBreach: { action: 'escalate', to: 'supervisor_group' }, next: { yes: 'n', no: 'e' } }),
    n: notify({ next: 'w', channels: ['in_app', 'sms'] }),
    w: waitConfirm({ next: 'd2', onTimeout: 'e' }),
    d2: decide({ branches: [{ when: { '!!': { var: 'confirmation.accepted' } }, next: 'c' }], otherwise: 'h' }),
    e: escalate({ next: 'h' }),
  });
  const r = validateSop(d);
  t.deepEqual(r.errors, []);
  t.true(r.valid);
  t.is(r.document as unknown, d);
});

// ---- document level ----

test('not an object', (t) => {
  for (const bad of [null, undefined, 42, 'steps:', [doc({ a: fetchOrder() })]]) only(t, bad, '', undefined, /must be an object/);
});

test('missing type', (t) => {
  const d = doc({ a: fetchOrder() });
  delete d.type;
  only(t, d, 'type', undefined, /missing type/);
});

test('missing name, and a name without English', (t) => {
  const d = doc({ a: fetchOrder() });
  delete d.name;
  only(t, d, 'name', undefined, /missing name/);
  only(t, doc({ a: fetchOrder() }, { name: { zh: '示例' } }), 'name.en', undefined, /missing en/);
});

test('missing start', (t) => {
  const d = doc({ a: fetchOrder() });
  delete d.start;
  only(t, d, 'start', undefined, /missing start/);
});

test('missing steps (the start step then cannot exist either)', (t) => {
  const r = validateSop({ ...doc({}), steps: {} });
  t.deepEqual(r.errors.map((e) => e.path), ['steps', 'start']);
  const r2 = validateSop({ ...doc({}), steps: undefined });
  t.deepEqual(r2.errors.map((e) => e.path), ['steps', 'start']);
});

test('missing or malformed appliesTo', (t) => {
  const d = doc({ a: fetchOrder() });
  delete d.appliesTo;
  only(t, d, 'appliesTo', undefined, /missing appliesTo/);
  only(t, doc({ a: fetchOrder() }, { appliesTo: [] }), 'appliesTo', undefined, /non-empty/);
  only(t, doc({ a: fetchOrder() }, { appliesTo: ['demo/*', 'fee dispute'] }), 'appliesTo.1', undefined, /category\/subtype/);
});

test('version is ignored', (t) => {
  t.true(validateSop(doc({ a: fetchOrder() }, { version: 'whatever' })).valid);
  t.true(validateSop(doc({ a: fetchOrder() }, { version: 7 })).valid);
});

test('a policy value that is not a number, string or boolean', (t) => {
  only(t, doc({ a: fetchOrder() }, { policy: { wait: 60_000, bands: [1, 2] } }), 'policy.bands', undefined, /number, string or boolean/);
});

test('policyFrom binds existing policy values to a rate table by its pairId', (t) => {
  const bound = doc({ a: fetchOrder() }, { policyFrom: { wait: { article: 'fee-dispute-limits', key: 'waitMs' } } });
  t.true(validateSop(bound).valid, JSON.stringify(validateSop(bound).errors));
  only(t, doc({ a: fetchOrder() }, { policyFrom: { limit: { article: 'fee-dispute-limits' } } }), 'policyFrom.limit', undefined, /policy does not have/);
  only(t, doc({ a: fetchOrder() }, { policyFrom: { wait: { article: 'Fee Limits' } } }), 'policyFrom.wait.article', undefined, /pairId/);
  only(t, doc({ a: fetchOrder() }, { policyFrom: { wait: { article: 'fee-dispute-limits', key: '' } } }), 'policyFrom.wait.key', undefined, /rates block/);
  only(t, doc({ a: fetchOrder() }, { policyFrom: { wait: { article: 'fee-dispute-limits', at: 'now' } } }), 'policyFrom.wait.at', undefined, /only article and key/);
  only(t, doc({ a: fetchOrder() }, { policyFrom: { wait: 'fee-dispute-limits' } }), 'policyFrom.wait', undefined, /\{article, key\?\}/);
});

// ---- steps ----

test('unknown step kind', (t) => {
  only(t, doc({ a: fetchOrder({ next: 'x' }), x: { kind: 'sleep', owner: 'system', next: 'c' } }), 'steps.x.kind', 'x', /unknown step kind "sleep"/);
});

test('start step missing', (t) => {
  only(t, doc({ a: fetchOrder() }, { start: 'begin' }), 'start', undefined, /start step 'begin' does not exist/);
});

test('a transition to a step that does not exist, for every kind of transition', (t) => {
  const cases: Array<[Steps, string, string]> = [
    [{ a: fetchOrder({ next: 'ghost', onError: 'c' }) }, 'steps.a.next', 'a'],
    [{ a: fetchOrder({ onError: 'ghost' }) }, 'steps.a.onError', 'a'],
    [{ a: humanTask({ next: { yes: 'ghost', no: 'c' } }) }, 'steps.a.next.yes', 'a'],
    [{ a: humanTask({ next: 'ghost', onBreach: { action: 'continue', next: 'c' } }) }, 'steps.a.next', 'a'],
    [{ a: humanTask({ onBreach: { action: 'continue', next: 'ghost' } }) }, 'steps.a.onBreach.next', 'a'],
    [{ a: waitConfirm({ onTimeout: 'ghost' }) }, 'steps.a.onTimeout', 'a'],
    [{ a: waitConfirm({ next: 'ghost' }) }, 'steps.a.next', 'a'],
    [{ a: decide({ otherwise: 'ghost' }) }, 'steps.a.otherwise', 'a'],
    [{ a: decide({ branches: [{ when: true, next: 'ghost' }] }) }, 'steps.a.branches.0.next', 'a'],
    [{ a: decide({ branches: [{ when: true, next: 'e' }] }), e: escalate({ next: 'ghost' }) }, 'steps.e.next', 'e'],
  ];
  for (const [steps, path, step] of cases) only(t, doc(steps), path, step, /step 'ghost', which does not exist/);
});

test('unreachable step', (t) => {
  only(t, doc({ a: fetchOrder(), orphan: close }), 'steps.orphan', 'orphan', /not reachable from start 'a'/);
});

test('a step kind that needs a transition lacks it', (t) => {
  const cases: Array<[Steps, string]> = [
    [{ a: fetchOrder({ next: undefined, onError: 'c' }) }, 'steps.a.next'],
    [{ a: waitConfirm({ onTimeout: undefined }) }, 'steps.a.onTimeout'],
    [{ a: waitConfirm({ next: undefined }) }, 'steps.a.next'],
    [{ a: decide({ otherwise: undefined }) }, 'steps.a.otherwise'],
    [{ a: decide({ branches: [{ when: true }], otherwise: 'c' }) }, 'steps.a.branches.0.next'],
    [{ a: humanTask({ next: undefined, onBreach: { action: 'continue', next: 'c' } }) }, 'steps.a.next'],
    [{ a: fetchOrder({ next: 'n', onError: 'c' }), n: notify({ next: undefined }) }, 'steps.n.next'],
    [{ a: humanTask({ onBreach: { action: 'continue' } }) }, 'steps.a.onBreach.next'],
  ];
  for (const [steps, path] of cases) only(t, doc(steps), path, path.split('.')[1], /needs/);
});

test('a human_task next map missing a decision, or naming an unknown one', (t) => {
  only(t, doc({ a: humanTask({ next: { yes: 'c' } }) }), 'steps.a.next', 'a', /no next step for decision 'no'/);
  only(t, doc({ a: humanTask({ next: { yes: 'c', no: 'c', maybe: 'c' } }) }), 'steps.a.next.maybe', 'a', /decision 'maybe', which is not in decisions/);
});

test('unknown action', (t) => {
  only(t, doc({ a: fetchOrder({ action: 'fetchInvoice' }) }), 'steps.a.action', 'a', /unknown action "fetchInvoice"/);
});

test('missing required action input', (t) => {
  only(t, doc({ a: fetchOrder({ input: {} }) }), 'steps.a.input.orderId', 'a', /needs input 'orderId'/);
  only(t, doc({ a: fetchOrder({ input: undefined }) }), 'steps.a.input.orderId', 'a', /needs input 'orderId'/);
});

test('unknown action input name', (t) => {
  only(t, doc({ a: fetchOrder({ input: { orderId: 'o1', userId: 'u1' } }) }), 'steps.a.input.userId', 'a', /has no input 'userId'/);
  // optional inputs are known
  t.true(validateSop(doc({ a: { kind: 'action', owner: 'system', action: 'createTechTicket', input: { summary: 'x', region: { var: 'ticket.region' } }, next: 'c' } })).valid);
});

test('unknown signal', (t) => {
  only(t, doc({ a: waitConfirm({ signal: 'payment_received' }) }), 'steps.a.signal', 'a', /unknown signal "payment_received"/);
});

test('bad durations: sla and timeout, literal and $policy', (t) => {
  only(t, doc({ a: fetchOrder({ sla: 'soon' }) }), 'steps.a.sla', 'a', /invalid duration 'soon'/);
  only(t, doc({ a: fetchOrder({ sla: '1.5h' }) }), 'steps.a.sla', 'a', /invalid duration/);
  only(t, doc({ a: waitConfirm({ timeout: '$nope' }) }), 'steps.a.timeout', 'a', /policy does not define/);
  only(t, doc({ a: waitConfirm({ timeout: '$label' }) }), 'steps.a.timeout', 'a', /must be a positive whole number of milliseconds/);
  only(t, doc({ a: waitConfirm({ timeout: 3600 }) }), 'steps.a.timeout', 'a', /must be a string/);
  only(t, doc({ a: waitConfirm({ timeout: undefined }) }), 'steps.a.timeout', 'a', /needs a timeout/);
  only(t, doc({ a: humanTask({ sla: '0m' }) }), 'steps.a.sla', 'a', /greater than zero/);
});

test('a condition that does not parse', (t) => {
  only(t, doc({ a: decide({ branches: [{ when: { regex: ['x', 'y'] }, next: 'c' }] }) }), 'steps.a.branches.0.when', 'a', /unknown operator 'regex'/);
  only(t, doc({ a: decide({ branches: [{ when: { '==': [1] }, next: 'c' }] }) }), 'steps.a.branches.0.when', 'a', /takes 2 arguments, got 1/);
  only(t, doc({ a: decide({ branches: [{ next: 'c' }] }) }), 'steps.a.branches.0.when', 'a', /needs a condition/);
});

test('an input expression that does not parse', (t) => {
  only(t, doc({ a: fetchOrder({ input: { orderId: { log: { var: 'ticket.orderId' } } } }) }), 'steps.a.input.orderId', 'a', /unknown operator 'log'/);
  only(t, doc({ a: fetchOrder({ input: { orderId: { var: 'ticket.orderId', default: 'x' } } }) }), 'steps.a.input.orderId', 'a', /exactly one key/);
});

test('an expression or template reading a context path that cannot exist', (t) => {
  only(t, doc({ a: fetchOrder({ input: { orderId: { var: 'ticket.order_id' } } }) }), 'steps.a.input.orderId', 'a', /ticket has no field 'order_id'/);
  only(t, doc({ a: decide({ branches: [{ when: { '>': [{ var: 'policy.limit' }, 1] }, next: 'c' }] }) }), 'steps.a.branches.0.when', 'a', /policy has no value 'limit'/);
  only(t, doc({ a: decide({ branches: [{ when: { var: 'confirmaton.accepted' }, next: 'c' }] }) }), 'steps.a.branches.0.when', 'a', /'confirmaton' is neither/);
  only(t, doc({ a: notify({ message: { zh: '{{proposal.message}}', en: 'x' } }) }), 'steps.a.message.zh', 'a', /'proposal' is neither/);
  // element paths inside map/filter/some are not context paths
  t.true(validateSop(doc({ a: decide({ branches: [{ when: { some: [{ var: 'ticket.claim.amountsFen' }, { '>': [{ var: '' }, 100] }] }, next: 'c' }] }) })).valid);
});

test('a template with an unknown filter', (t) => {
  only(t, doc({ a: notify({ message: { zh: '{{ticket.id | upper}}', en: 'x' } }) }), 'steps.a.message.zh', 'a', /unknown filter 'upper'/);
});

test('an output that would overwrite the ticket, policy or counters', (t) => {
  only(t, doc({ a: fetchOrder({ output: 'ticket' }) }), 'steps.a.output', 'a', /overwrite the context's 'ticket'/);
});

test('a cycle with no wait on it', (t) => {
  only(t, doc({ a: fetchOrder({ next: 'd' }), d: decide({ branches: [{ when: { '!': { var: 'order' } }, next: 'a' }] }) }), 'steps.a', 'a', /cycle a → d → a has no wait_signal or human_task/);
  // a self-loop
  only(t, doc({ a: decide({ branches: [{ when: true, next: 'a' }] }) }), 'steps.a', 'a', /cycle a → a/);
  // a loop through a wait is fine
  t.true(validateSop(doc({ a: waitConfirm({ next: 'd' }), d: decide({ branches: [{ when: { '!': { var: 'confirmation.accepted' } }, next: 'a' }] }) })).valid);
  // a component that has a wait, but also a wait-free loop inside it
  only(
    t,
    doc({
      a: waitConfirm({ next: 'd' }),
      d: decide({ branches: [{ when: { var: 'confirmation.accepted' }, next: 'n' }, { when: true, next: 'a' }] }),
      n: notify({ next: 'd2' }),
      d2: decide({ branches: [{ when: true, next: 'd' }] }),
    }),
    'steps.d',
    'd',
    /cycle d → n → d2 → d/,
  );
});

test('no close or escalate step reachable at all', (t) => {
  only(t, doc({ a: waitConfirm({ next: 'a', onTimeout: 'a' }), c: { kind: 'close', owner: 'system', resolution: 'x' } }, { steps: { a: waitConfirm({ next: 'a', onTimeout: 'a' }) } }), 'steps', undefined, /can never end/);
  // an escalate does not end the ticket
  only(t, { ...doc({}), steps: { a: escalate(), r: humanTask({ next: { yes: 'a', no: 'a' } }) } }, 'steps', undefined, /can never end/);
});

test('owners and groups not in the skill groups', (t) => {
  only(t, doc({ a: fetchOrder({ owner: 'finance' }) }), 'steps.a.owner', 'a', /owner 'finance' is not a skill group/);
  only(t, doc({ a: fetchOrder({ owner: undefined }) }), 'steps.a.owner', 'a', /missing owner/);
  only(t, doc({ a: humanTask({ group: 'billing_group' }) }), 'steps.a.group', 'a', /group 'billing_group' is not a skill group/);
  only(t, doc({ a: escalate({ to: 'boss' }), r: humanTask() }), 'steps.a.to', 'a', /escalation target 'boss'/);
  only(t, doc({ a: humanTask({ onBreach: { action: 'escalate', to: 'boss' } }) }), 'steps.a.onBreach.to', 'a', /onBreach target "boss"/);
  only(t, doc({ a: notify({ to: 'driver' }) }), 'steps.a.to', 'a', /neither 'user' nor a skill group/);
  // user and system owners, group owners are fine
  t.true(validateSop(doc({ a: fetchOrder({ owner: 'user' }) })).valid);
  t.true(validateSop(doc({ a: fetchOrder({ owner: 'claims_group' }) })).valid);
  t.true(validateSop(doc({ a: notify({ to: 'safety_group' }) })).valid);
});

test('other step fields: decisions, task, message, level, reason, resolution, channels, onBreach action', (t) => {
  only(t, doc({ a: humanTask({ decisions: [], next: 'c' }) }), 'steps.a.decisions', 'a', /non-empty list/);
  only(t, doc({ a: humanTask({ decisions: ['yes', 'yes'], next: 'c' }) }), 'steps.a.decisions.1', 'a', /listed twice/);
  only(t, doc({ a: humanTask({ task: { zh: '审核' } }) }), 'steps.a.task.en', 'a', /missing en/);
  only(t, doc({ a: notify({ message: undefined }) }), 'steps.a.message', 'a', /missing message/);
  only(t, doc({ a: escalate({ level: 0 }), r: humanTask() }), 'steps.a.level', 'a', /level/);
  only(t, doc({ a: escalate({ reason: '' }), r: humanTask() }), 'steps.a.reason', 'a', /missing reason/);
  only(t, doc({ a: { kind: 'close', owner: 'system' } }, { steps: { a: { kind: 'close', owner: 'system' } } }), 'steps.a.resolution', 'a', /missing resolution/);
  only(t, doc({ a: notify({ channels: ['pigeon'] }) }), 'steps.a.channels.0', 'a', /unknown channel/);
  only(t, doc({ a: humanTask({ onBreach: { action: 'panic' } }) }), 'steps.a.onBreach.action', 'a', /must be one of/);
  only(t, doc({ a: fetchOrder({ name: { en: 'Fetch' } }) }), 'steps.a.name.zh', 'a', /missing zh/);
  only(t, doc({ a: fetchOrder(), c: { data: { x: { nope: 1 } } } }), 'steps.c.data.x', 'c', /unknown operator 'nope'/);
});

test('every error at once, each with its step and path', (t) => {
  const d = doc(
    {
      a: fetchOrder({ action: 'fetchOrders', sla: '5 minutes', next: 'w' }),
      w: waitConfirm({ signal: 'beep', onTimeout: 'nowhere' }),
      h: humanTask({ group: 'nobody', next: { yes: 'c' } }),
    },
    { name: { zh: '示例' } },
  );
  delete d.type;
  const r = validateSop(d);
  t.false(r.valid);
  const got = r.errors.map((e) => `${e.step ?? '-'} ${e.path}`).sort();
  t.deepEqual(
    got,
    [
      '- name.en',
      '- type',
      'a steps.a.action',
      'a steps.a.sla',
      'h steps.h',
      'h steps.h.group',
      'h steps.h.next',
      'w steps.w.onTimeout',
      'w steps.w.signal',
    ].sort(),
  );
});

// ---- the defaults ----

const defaults = loadDefaultSops();

test('every default SOP is valid', (t) => {
  t.is(defaults.length, 10, 'the ten default SOPs (their types: the next test)');
  for (const d of defaults) t.deepEqual(validateSop(d).errors, [], d.type);
});

test('the default SOPs cover the expected types', (t) => {
  t.deepEqual(defaults.map((d) => d.type).sort(), ['anomaly_alert', 'app_technical', 'attitude', 'cargo_damage', 'cargo_loss', 'fee_dispute', 'late_arrival', 'review', 'safety_incident', 'triage']);
});

test('every step of every default SOP has an owner and zh/en names; every human task an SLA from the policy, no other step but a few actions one', (t) => {
  for (const d of defaults) {
    for (const [id, step] of Object.entries(d.steps)) {
      t.truthy(step.owner, `${d.type}.${id} owner`);
      t.truthy(step.name?.zh && step.name?.en, `${d.type}.${id} name`);
      if (step.kind === 'human_task') t.regex(step.sla ?? '', /^\$/, `${d.type}.${id} sla`);
      else if (step.kind === 'action') t.true(step.sla === undefined || step.sla.startsWith('$'), `${d.type}.${id} sla`);
      else t.is(step.sla, undefined, `${d.type}.${id} sla`);
      if (step.kind === 'human_task') t.not(step.data, undefined, `${d.type}.${id} declares its decisions' data`);
    }
  }
});

// ---- hand-offs, bounded steps, typed decisions, safe names ----

test('an escalation must hand the ticket to a human step of the receiving group', (t) => {
  only(t, doc({ a: decide({ branches: [{ when: true, next: 'e' }] }), e: escalate({ next: undefined }) }), 'steps.e.next', 'e', /escalate step needs 'next'/);
  // straight to a close: nobody acts
  only(t, doc({ a: escalate({ next: 'c' }) }), 'steps.a.next', 'a', /escalation to fee_group leads nowhere: step 'c' closes the ticket first/);
  // another group's human task first
  only(t, doc({ a: escalate(), r: humanTask({ group: 'claims_group' }) }), 'steps.a.next', 'a', /step 'r' waits for claims_group first/);
  // every branch counts: one branch of a decision reaching a close is enough to refuse it
  only(t, doc({ a: escalate({ next: 'd' }), d: decide({ branches: [{ when: true, next: 'r' }], otherwise: 'c' }), r: humanTask() }), 'steps.a.next', 'a', /step 'c' closes the ticket first/);
  // the user's signal is not the group acting
  only(t, doc({ a: escalate({ next: 'w' }), w: waitConfirm({ next: 'r', onTimeout: 'r' }), r: humanTask() }), 'steps.a.next', 'a', /waits for the signal confirmation of user/);
  // through notify, decision and an action's onError to the group's task: fine
  t.deepEqual(validateSop(doc({ a: escalate({ next: 'n' }), n: notify({ next: 'f' }), f: fetchOrder({ next: 'r', onError: 'r' }), r: humanTask() })).errors, []);
  // a wait_signal the group owns is the group acting (the tech team signals its fix)
  t.deepEqual(validateSop(doc({ a: escalate({ to: 'tech_team', next: 'w' }), w: waitConfirm({ owner: 'tech_team', signal: 'tech_fixed' }) })).errors, []);
});

test('sla and onBreach only where they have an effect', (t) => {
  only(t, doc({ a: notify({ sla: '5m' }) }), 'steps.a.sla', 'a', /no effect on a notify step/);
  only(t, doc({ a: decide({ sla: '5m' }) }), 'steps.a.sla', 'a', /no effect on a decision step/);
  only(t, doc({ a: escalate({ sla: '5m' }), r: humanTask() }), 'steps.a.sla', 'a', /no effect on a escalate step/);
  only(t, doc({ a: waitConfirm({ sla: '$wait' }) }), 'steps.a.sla', 'a', /bounded by its timeout/);
  only(t, doc({ a: { ...close, sla: '1m' } }, { steps: { a: { ...close, sla: '1m' } } }), 'steps.a.sla', 'a', /no effect on a close step/);
  only(t, doc({ a: fetchOrder({ onBreach: { action: 'escalate' } }) }), 'steps.a.onBreach', 'a', /human_task steps only/);
  t.true(validateSop(doc({ a: fetchOrder({ sla: '$wait' }) })).valid);
});

test('step ids, outputs, decisions and data fields cannot be __proto__, constructor or prototype', (t) => {
  // JSON.parse makes '__proto__' an own key, as a request body would
  const steps = JSON.parse(`{"a": ${JSON.stringify(fetchOrder({ next: '__proto__' }))}, "__proto__": {"kind": "close", "owner": "system", "resolution": "r"}}`);
  only(t, doc({}, { steps }), 'steps.__proto__', '__proto__', /step id '__proto__' is reserved/);
  only(t, doc({ a: fetchOrder({ output: 'constructor' }) }), 'steps.a.output', 'a', /reserved/);
  only(t, doc({ a: humanTask({ decisions: ['yes', 'prototype'], next: 'c' }) }), 'steps.a.decisions.1', 'a', /other than __proto__, constructor, prototype/);
  only(t, doc({ a: humanTask({ data: { yes: { constructor: { type: 'string' } } } }) }), 'steps.a.data.yes.constructor', 'a', /other than/);
});

test('decision data schemas are checked when published', (t) => {
  only(t, doc({ a: humanTask({ data: { maybe: {} } }) }), 'steps.a.data.maybe', 'a', /not in decisions/);
  only(t, doc({ a: humanTask({ data: { yes: { amountFen: { type: 'money' } } } }) }), 'steps.a.data.yes.amountFen.type', 'a', /must be one of integer, number, string, boolean/);
  only(t, doc({ a: humanTask({ data: { yes: { reason: { type: 'string', min: 1 } } } }) }), 'steps.a.data.yes.reason.min', 'a', /integer and number fields only/);
  only(t, doc({ a: humanTask({ data: { yes: { amountFen: { type: 'integer', max: { nope: 1 } } } } }) }), 'steps.a.data.yes.amountFen.max', 'a', /unknown operator 'nope'/);
  only(t, doc({ a: humanTask({ data: { yes: { amountFen: { type: 'integer', max: { var: 'order.total' } } } } }) }), 'steps.a.data.yes.amountFen.max', 'a', /bound reads 'order.total'/);
  only(t, doc({ a: humanTask({ data: { yes: { kind: { type: 'string', enum: ['a', 2] } } } }) }), 'steps.a.data.yes.kind.enum.1', 'a', /not of type string/);
  only(t, doc({ a: humanTask({ data: { yes: { kind: { type: 'string', maxLen: 3 } } } }) }), 'steps.a.data.yes.kind.maxLen', 'a', /unknown schema key/);
  only(t, doc({ a: humanTask({ distinctFrom: 'order' }) }), 'steps.a.distinctFrom', 'a', /must name the output of a human_task/);
  const ok = doc({
    a: fetchOrder({ next: 'h' }),
    h: humanTask({ data: { yes: { amountFen: { type: 'integer', min: 1, max: { var: 'order.total' } }, reason: { type: 'string', required: false, maxLength: 200 } } }, next: { yes: 'p', no: 'c' } }),
    p: humanTask({ group: 'supervisor_group', owner: 'supervisor_group', decisions: ['approve', 'reject'], data: {}, distinctFrom: 'review', output: 'approval', next: { approve: 'c', reject: 'h' } }),
  });
  t.deepEqual(validateSop(ok).errors, []);
});


test("a human_task's own silence rule: a duration (or $policy) and remind, reassign or notify_supervisor", (t) => {
  t.deepEqual(validateSop(doc({ a: humanTask({ silence: { after: '$wait', action: 'notify_supervisor' } }) })).errors, []);
  t.deepEqual(validateSop(doc({ a: humanTask({ silence: { after: '30m', action: 'reassign' } }) })).errors, []);
  only(t, doc({ a: humanTask({ silence: '30m' }) }), 'steps.a.silence', 'a', /silence must be \{after/);
  only(t, doc({ a: humanTask({ silence: { after: '30m', action: 'close' } }) }), 'steps.a.silence.action', 'a', /must be one of remind, reassign, notify_supervisor/);
  only(t, doc({ a: humanTask({ silence: { after: '$nope', action: 'remind' } }) }), 'steps.a.silence.after', 'a', /policy value 'nope'/);
  only(t, doc({ a: humanTask({ silence: { after: 'soon', action: 'remind' } }) }), 'steps.a.silence.after', 'a', /invalid duration 'soon'/);
  only(t, doc({ a: humanTask({ silence: { action: 'remind' } }) }), 'steps.a.silence.after', 'a', /silence needs after/);
  only(t, doc({ a: humanTask({ silence: { after: '5m', action: 'remind', to: 'qa_group' } }) }), 'steps.a.silence.to', 'a', /unknown silence key 'to'/);
});

test('a {zh, en} text with extra keys (an unquoted comma in YAML) is an error on its step', async (t) => {
  const { parseSopYaml } = await import('../sops/load');
  const text = fs.readFileSync(path.join(import.meta.dirname, '..', 'sops', 'defaults', 'fee_dispute.yaml'), 'utf8').replace(
    'name: { zh: "查询订单", en: "Fetch the order" }',
    'name: { zh: 查询订单, en: Fetch the order, then check it }',
  );
  t.throws(() => parseSopYaml(text, 'broken.yaml'), { message: /unexpected key "then check it"/ });
});
