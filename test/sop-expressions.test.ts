// Durations, JSON Logic expressions and {{path}} templates of the SOP library.
import test from 'ava';
import { durationError, isValidDuration, parseDuration } from '../sops/duration';
import { checkExpression, evaluate, expressionPaths, inspectTemplate, isTruthy, renderTemplate } from '../sops/expressions';
import * as sops from '../sops/index';

// ---- durations ----

test('durations in every unit', (t) => {
  t.is(parseDuration('500ms'), 500);
  t.is(parseDuration('30s'), 30_000);
  t.is(parseDuration('15m'), 900_000);
  t.is(parseDuration('24h'), 86_400_000);
  t.is(parseDuration('2d'), 172_800_000);
});

test('$name durations come from the policy, in milliseconds', (t) => {
  const policy = { confirmationTimeout: 86_400_000, label: '1h', fraction: 1.5, zero: 0 };
  t.is(parseDuration('$confirmationTimeout', policy), 86_400_000);
  t.throws(() => parseDuration('$confirmationTimeout'), { message: /policy does not define/ });
  t.throws(() => parseDuration('$missing', policy), { message: /'missing', which the policy does not define/ });
  t.throws(() => parseDuration('$label', policy), { message: /positive whole number of milliseconds, got "1h"/ });
  t.throws(() => parseDuration('$fraction', policy), { message: /positive whole number/ });
  t.throws(() => parseDuration('$zero', policy), { message: /positive whole number/ });
  t.throws(() => parseDuration('$toString', policy), { message: /does not define/ });
});

test('anything else is a clear error', (t) => {
  for (const bad of ['', '15', 'm', '1.5h', '-1m', '15 m', '15min', '2w', '1H', ' 1h', '0s', '$', '$1x']) {
    t.throws(() => parseDuration(bad), { message: /duration/ }, JSON.stringify(bad));
    t.false(isValidDuration(bad));
  }
  for (const bad of [15, null, undefined, {}]) t.regex(durationError(bad)!, /must be a string/);
  t.true(isValidDuration('4h'));
  t.is(durationError('4h'), null);
});

// ---- expressions ----

const context = {
  ticket: { id: 'T1', orderId: 'O1', userTier: 'vip', language: 'zh', claim: { namedItems: ['toll'], amountsFen: [1200, 5000] } },
  policy: { autoRefundLimitFen: 50_000, rejectionsBeforeSupervisor: 2 },
  counters: { rejections: 1, visits: { a: 2 } },
  order: { id: 'O1', total: 12_345 },
  proposal: { solution: { kind: 'refund', amountFen: 3000 }, message: '退还¥30.00' },
  confirmation: { accepted: false },
};

test('expressions evaluate over the context', (t) => {
  t.is(evaluate({ var: 'ticket.orderId' }, context), 'O1');
  t.deepEqual(evaluate({ var: 'policy' }, context), context.policy);
  t.true(evaluate({ '!!': { var: 'order' } }, context));
  t.false(evaluate({ '!!': { var: 'nothing' } }, context));
  t.true(evaluate({ '==': [{ var: 'proposal.solution.kind' }, 'refund'] }, context));
  t.false(evaluate({ '>=': [{ var: 'counters.rejections' }, { var: 'policy.rejectionsBeforeSupervisor' }] }, context));
  t.is(evaluate({ reduce: [{ var: 'ticket.claim.amountsFen' }, { '+': [{ var: 'current' }, { var: 'accumulator' }] }, 0] }, context), 6200);
  t.true(evaluate({ some: [{ var: 'ticket.claim.amountsFen' }, { '>': [{ var: '' }, 4000] }] }, context));
  t.is(evaluate({ cat: ['ticket ', { var: 'ticket.id' }, ': ', { var: 'missing.note' }] }, context), 'ticket T1: ');
  t.is(evaluate({ if: [{ var: 'confirmation.accepted' }, 'yes', 'no'] }, context), 'no');
  t.is(evaluate('literal', context), 'literal');
  t.is(evaluate(42, context), 42);
  t.deepEqual(evaluate(['a', { var: 'ticket.id' }], context), ['a', 'T1']);
  t.true(isTruthy([1]));
  t.false(isTruthy([]));
});

test('evaluation is deterministic and leaves the context alone', (t) => {
  const before = JSON.stringify(context);
  const exprs = [
    { '+': [{ var: 'order.total' }, 1] },
    { merge: [{ var: 'ticket.claim.namedItems' }, ['x']] },
    { map: [{ var: 'ticket.claim.amountsFen' }, { '*': [{ var: '' }, 2] }] },
    { substr: [{ var: 'proposal.message' }, 0, 2] },
    { missing: ['ticket.id', 'ticket.nope'] },
    { in: ['vip', ['vip', 'enterprise']] },
  ];
  for (const e of exprs) {
    const runs = Array.from({ length: 5 }, () => JSON.stringify(evaluate(e, context)));
    t.true(runs.every((r) => r === runs[0]), JSON.stringify(e));
  }
  t.is(JSON.stringify(context), before);
});

test('unknown operators and malformed expressions are rejected', (t) => {
  t.is(checkExpression({ '!!': { var: 'order' } }), null);
  t.is(checkExpression(null), null);
  t.regex(checkExpression({ log: 'x' })!, /unknown operator 'log'/);
  t.regex(checkExpression({ now: [] })!, /unknown operator 'now'/);
  t.regex(checkExpression({ 'Math.random': [] })!, /unknown operator 'Math.random'/);
  t.regex(checkExpression({ and: [true, { foo: 1 }] })!, /unknown operator 'foo'/);
  t.regex(checkExpression({ kind: 'refund', amountFen: 1 })!, /exactly one key/);
  t.regex(checkExpression({})!, /exactly one key/);
  t.regex(checkExpression({ '==': [1, 2, 3] })!, /takes 2 arguments, got 3/);
  t.regex(checkExpression({ '!': [1, 2] })!, /takes 1 argument, got 2/);
  t.regex(checkExpression({ var: [true] })!, /'var' needs a path string/);
  t.regex(checkExpression(undefined)!, /missing expression/);
  t.regex(checkExpression(Number.NaN)!, /not a JSON number/);
  t.throws(() => evaluate({ log: 'x' }, context), { message: /unknown operator 'log'/ });
  t.throws(() => evaluate({ 'Math.random': [] }, context), { message: /unknown operator/ });
});

test('every standard operator is allowed', (t) => {
  t.deepEqual([...sops.ALLOWED_OPERATORS].sort(), ['var', 'missing', 'missing_some', 'if', '==', '===', '!=', '!==', '!', '!!', 'or', 'and', '>', '>=', '<', '<=', 'max', 'min', '+', '-', '*', '/', '%', 'in', 'cat', 'substr', 'merge', 'map', 'filter', 'reduce', 'all', 'none', 'some'].sort());
});

test('expressionPaths lists the context paths, not element paths', (t) => {
  t.deepEqual(expressionPaths({ and: [{ var: 'a.b' }, { some: [{ var: 'ticket.claim.amountsFen' }, { '>': [{ var: 'x' }, { var: 'y' }] }] }] }), ['a.b', 'ticket.claim.amountsFen']);
  t.deepEqual(expressionPaths({ var: ['policy.limit', 0] }), ['policy.limit']);
});

// ---- templates ----

test('templates fill {{path}} from the context', (t) => {
  t.is(renderTemplate('{{proposal.message}}', context), '退还¥30.00');
  t.is(renderTemplate('order {{ ticket.orderId }} total {{order.total}}', context), 'order O1 total 12345');
  t.is(renderTemplate('{{proposal.solution}}', context), '{"kind":"refund","amountFen":3000}');
  t.is(renderTemplate('[{{nothing.here}}][{{ticket.nope}}]', context), '[][]');
  t.is(renderTemplate('{{confirmation.accepted}}', context), 'false');
  t.is(renderTemplate('{{ticket.claim.amountsFen.1}}', context), '5000');
  t.is(renderTemplate('refund {{proposal.solution.amountFen | yuan}}', context), 'refund ¥30.00');
  t.is(renderTemplate('{{nothing | yuan}}', context), '');
  t.is(renderTemplate('{{policy.autoRefundLimitFen | hours}}', { policy: { autoRefundLimitFen: 172_800_000 } }), '48');
  t.is(renderTemplate('{{x | hours}}', { x: 1_800_000 }), '0.5');
  t.is(renderTemplate('no placeholders', context), 'no placeholders');
  t.is(renderTemplate('{{ticket.id.constructor}}', context), '', 'only own properties');
});

test('inspectTemplate reports paths, unknown filters and stray braces', (t) => {
  t.deepEqual(inspectTemplate('{{a.b}} and {{ c | yuan }}'), { paths: ['a.b', 'c'], errors: [] });
  t.regex(inspectTemplate('{{a | shout}}').errors[0]!, /unknown filter 'shout'/);
  t.regex(inspectTemplate('{{a.b').errors[0]!, /unmatched/);
  t.regex(inspectTemplate('{{a b}}').errors[0]!, /not a dotted path/);
});

test('the index re-exports the pure library', (t) => {
  t.is(typeof sops.validateSop, 'function');
  t.is(typeof sops.parseDuration, 'function');
  t.is(typeof sops.evaluate, 'function');
  t.is(typeof sops.renderTemplate, 'function');
  t.truthy(sops.ACTIONS.fetchOrder);
  t.true(sops.SIGNALS.includes('confirmation'));
  t.true(sops.SKILL_GROUPS.includes('fee_group'));
});
