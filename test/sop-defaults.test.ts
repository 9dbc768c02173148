// The default SOPs walked step by step with the interpreter's semantics (a small pure walker, stubbed
// actions, scripted signals and agent decisions): each reaches the intended end on the main paths.
import test from 'ava';
import { evaluate, isTruthy, renderTemplate } from '../sops/expressions';
import { loadDefaultSops } from '../sops/load';
import type { SopDocument, SopStep } from '../sops/types';

const sops = new Map(loadDefaultSops().map((d) => [d.type, d]));
const sop = (type: string) => sops.get(type)!;

const FAIL = Symbol('fail');
type ActionStub = (input: Record<string, unknown>) => unknown;
interface Script {
  actions?: Record<string, ActionStub>;
  /** signal payloads in order; 'timeout' lets the wait time out */
  signals?: Array<Record<string, unknown> | 'timeout'>;
  /** agent decisions in order */
  decisions?: Array<{ decision: string; data?: Record<string, unknown>; note?: string }>;
  language?: 'zh' | 'en';
}
interface Walk {
  path: string[];
  end: { status: 'closed' | 'escalated'; code: string; to?: string; level?: number; data?: Record<string, unknown> };
  calls: Array<{ action: string; input: Record<string, unknown> }>;
  messages: string[];
  escalations: Array<{ to: string; reason: string }>;
}

const ticket = (over: Record<string, unknown> = {}) => ({
  id: 'TK1', requestId: 'R1', category: 'fee_dispute', subtype: 'waiting_fee', skillGroup: 'fee_group', priority: 3, userId: 'U1', userTier: 'standard',
  orderId: 'O1', region: 'shenzhen', channel: 'app', language: 'zh', issueText: '等候费多收了', appVersion: '5.2.0', claim: { namedItems: ['waiting_fee'], amountsFen: [3000] }, ...over,
});

function walk(doc: SopDocument, script: Script, ticketOver: Record<string, unknown> = {}): Walk {
  const ctx: Record<string, unknown> = { ticket: ticket({ language: script.language ?? 'zh', ...ticketOver }), policy: doc.policy ?? {}, counters: { rejections: 0, reopens: 0, visits: {} } };
  const counters = ctx.counters as { rejections: number; visits: Record<string, number> };
  const signals = [...(script.signals ?? [])];
  const decisions = [...(script.decisions ?? [])];
  const out: Omit<Walk, 'end'> = { path: [], calls: [], messages: [], escalations: [] };
  let id: string | undefined = doc.start;
  for (let n = 0; n < 200; n++) {
    const step: SopStep = doc.steps[id!]!;
    out.path.push(id!);
    counters.visits[id!] = (counters.visits[id!] ?? 0) + 1;
    switch (step.kind) {
      case 'action': {
        const input = Object.fromEntries(Object.entries(step.input ?? {}).map(([k, e]) => [k, evaluate(e, ctx)]));
        out.calls.push({ action: step.action, input });
        const stub = script.actions?.[step.action];
        if (!stub) throw new Error(`no stub for ${step.action}`);
        const result = stub(input);
        if (result === FAIL) {
          if (step.onError) { id = step.onError; break; }
          return { ...out, end: { status: 'escalated', code: 'escalated', to: 'supervisor_group', level: 2 } };
        }
        if (step.output) ctx[step.output] = result;
        id = step.next;
        break;
      }
      case 'decision': {
        const b: { when: unknown; next: string } | undefined = step.branches.find((br: { when: unknown }) => isTruthy(evaluate(br.when, ctx)));
        id = b ? b.next : step.otherwise;
        break;
      }
      case 'notify':
        out.messages.push(renderTemplate(script.language === 'en' ? step.message.en : step.message.zh, ctx));
        id = step.next;
        break;
      case 'escalate':
        out.escalations.push({ to: step.to, reason: step.reason });
        if (!step.next) return { ...out, end: { status: 'escalated', code: step.reason, to: step.to, level: step.level } };
        id = step.next;
        break;
      case 'wait_signal': {
        const s = signals.shift();
        if (s === undefined) throw new Error(`script has no signal for ${id}`);
        if (s === 'timeout') { id = step.onTimeout; break; }
        if (step.signal === 'confirmation' && s.accepted === false) counters.rejections++;
        if (step.output) ctx[step.output] = s;
        id = step.next;
        break;
      }
      case 'human_task': {
        const d = decisions.shift();
        if (!d) throw new Error(`script has no decision for ${id}`);
        if (!step.decisions.includes(d.decision)) throw new Error(`${d.decision} is not a decision of ${id}`);
        if (step.output) ctx[step.output] = { agentId: 'A7', ...d };
        id = typeof step.next === 'string' ? step.next : step.next[d.decision];
        break;
      }
      case 'close': {
        const data = Object.fromEntries(Object.entries(step.data ?? {}).map(([k, e]) => [k, evaluate(e, ctx)]));
        return { ...out, end: { status: 'closed', code: step.resolution, data } };
      }
    }
  }
  throw new Error(`no end after 200 steps: ${out.path.join(' → ')}`);
}

const order = { id: 'O1', total: 12_000 };
const feeActions = (solution: Record<string, unknown>, extra: Record<string, ActionStub> = {}): Record<string, ActionStub> => ({
  fetchOrder: () => order,
  analyzeFeeDispute: () => ({ totalOverchargeFen: 3000, findings: [] }),
  matchFeeSolution: () => ({ solution, message: `方案:${solution.kind}` }),
  applySolution: () => ({ refundId: 'RF1', amountFen: 3000 }),
  issueRefund: (i) => ({ refundId: 'RF2', amountFen: i.amountFen }),
  issueCoupon: (i) => ({ couponId: 'C1', couponCode: 'X', amountFen: i.amountFen }),
  ...extra,
});
const refund = { kind: 'refund', amountFen: 3000, reason: 'waiting fee' };
const accept = { accepted: true };
const reject = { accepted: false };

test('fee dispute: proposal accepted → applied → closed resolved', (t) => {
  const w = walk(sop('fee_dispute'), { actions: feeActions(refund), signals: [accept] });
  t.deepEqual(w.path, ['fetch_order', 'check_order', 'analyze_dispute', 'match_solution', 'check_solution', 'send_solution', 'await_confirmation', 'check_confirmation', 'apply_solution', 'close_resolved']);
  t.is(w.end.code, 'resolved');
  t.deepEqual(w.calls.find((c) => c.action === 'matchFeeSolution')!.input, { analysis: { totalOverchargeFen: 3000, findings: [] }, order, userTier: 'standard', language: 'zh', policy: sop('fee_dispute').policy });
  t.deepEqual(w.calls.find((c) => c.action === 'applySolution')!.input, { solution: refund, orderId: 'O1', userId: 'U1' });
  t.deepEqual(w.calls[1]!.input.claim, { namedItems: ['waiting_fee'], amountsFen: [3000] });
  t.deepEqual(w.messages, ['方案:refund']);
});

test('fee dispute: order not found → the supervisors decide, close with their answer', (t) => {
  const w = walk(sop('fee_dispute'), { actions: feeActions(refund, { fetchOrder: () => null }), decisions: [{ decision: 'close', note: '查无此单。' }] });
  t.deepEqual(w.escalations, [{ to: 'supervisor_group', reason: 'order_not_found' }]);
  t.true(w.path.includes('supervisor_review'));
  t.like(w.end, { status: 'closed', code: 'closed_by_supervisor', data: { note: '查无此单。' } });
});

test("fee dispute: rejected once → fee team refund offer → user accepts → refund of the agent's amount", (t) => {
  const w = walk(sop('fee_dispute'), { actions: feeActions(refund), signals: [reject, accept], decisions: [{ decision: 'refund', data: { amountFen: 8000 }, note: '另退过路费。' }] });
  t.deepEqual(w.escalations, [{ to: 'fee_group', reason: 'solution_rejected' }]);
  t.true(w.messages[1]!.includes('¥80.00'), w.messages[1]);
  t.true(w.messages[1]!.includes('另退过路费。'));
  t.deepEqual(w.calls.at(-1), { action: 'issueRefund', input: { orderId: 'O1', amountFen: 8000, reason: 'ticket TK1: fee team review by A7' } });
  t.like(w.end, { status: 'closed', code: 'resolved', data: { decision: 'refund', amountFen: 8000 } });
  t.false(w.calls.some((c) => c.action === 'applySolution'));
});

test('fee dispute: coupon offer in English, accepted → coupon with the policy validity', (t) => {
  const w = walk(sop('fee_dispute'), { language: 'en', actions: feeActions(refund), signals: [reject, accept], decisions: [{ decision: 'coupon', data: { amountFen: 1500 } }] });
  t.regex(w.messages[1]!, /offers a ¥15\.00 coupon valid 30 days/);
  t.like(w.calls.at(-1), { action: 'issueCoupon', input: { userId: 'U1', amountFen: 1500, validDays: 30 } });
  t.is(w.end.code, 'resolved');
});

test('fee dispute: rejected twice → supervisors decide', (t) => {
  const w = walk(sop('fee_dispute'), { actions: feeActions(refund), signals: [reject, reject], decisions: [{ decision: 'explain', note: '费用无误。' }, { decision: 'close', note: '维持原结论。' }] });
  t.deepEqual(w.escalations.at(-1), { to: 'supervisor_group', reason: 'rejected_twice' });
  t.like(w.end, { status: 'closed', code: 'closed_by_supervisor' });
  t.false(w.calls.some((c) => ['applySolution', 'issueRefund', 'issueCoupon'].includes(c.action)));
});

test('fee dispute: manual review → user told, fee team decides, user confirms', (t) => {
  const w = walk(sop('fee_dispute'), { actions: feeActions({ kind: 'manual_review', amountFen: 90_000, reason: 'big' }), signals: [accept], decisions: [{ decision: 'refund', data: { amountFen: 90_000 } }, { decision: 'approve' }] });
  t.deepEqual(w.escalations, [{ to: 'fee_group', reason: 'manual_review' }]);
  t.true(w.path.includes('refund_approval'), 'a refund above autoRefundLimitFen waits for a supervisor');
  t.is(w.messages[0], '方案:manual_review');
  t.like(w.calls.at(-1), { action: 'issueRefund', input: { amountFen: 90_000 } });
  t.is(w.end.code, 'resolved');
});

test('fee dispute: no answer → fee team; no answer to its offer either → closed no_response', (t) => {
  const w = walk(sop('fee_dispute'), { actions: feeActions(refund), signals: ['timeout', 'timeout'], decisions: [{ decision: 'reject', note: '费用无误。' }] });
  t.deepEqual(w.escalations, [{ to: 'fee_group', reason: 'confirmation_timeout' }]);
  t.like(w.end, { status: 'closed', code: 'no_response' });
});

test('fee dispute: a refund the finance system refuses goes to the supervisors, who send it back to the fee team', (t) => {
  const w = walk(sop('fee_dispute'), { actions: feeActions(refund, { applySolution: () => FAIL }), signals: [accept, accept], decisions: [{ decision: 'return_to_team' }, { decision: 'explain', note: '已人工处理。' }] });
  t.deepEqual(w.escalations, [{ to: 'supervisor_group', reason: 'payment_failed' }]);
  t.is(w.end.code, 'resolved');
});

const lateActions: Record<string, ActionStub> = {
  fetchOrder: () => order,
  lateArrivalCompensation: (i) => ({ solution: { kind: 'coupon', amountFen: (i.policy as Record<string, number>).lateBand60Fen, validDays: 30, reason: 'late' }, message: '补偿', lateMinutes: 75 }),
  applySolution: () => ({ couponId: 'C1' }),
  issueCoupon: (i) => ({ couponId: 'C2', amountFen: i.amountFen }),
};

test('late arrival: band coupon accepted → applied; rejected → order-exception team → coupon confirmed', (t) => {
  const ok = walk(sop('late_arrival'), { actions: lateActions, signals: [accept] });
  t.deepEqual(ok.calls.find((c) => c.action === 'applySolution')!.input.solution, { kind: 'coupon', amountFen: 2000, validDays: 30, reason: 'late' });
  t.like(ok.end, { code: 'resolved', data: { lateMinutes: 75 } });

  const again = walk(sop('late_arrival'), { actions: lateActions, signals: [reject, accept], decisions: [{ decision: 'coupon', data: { amountFen: 3000 } }] });
  t.deepEqual(again.escalations, [{ to: 'order_exception_group', reason: 'solution_rejected' }]);
  t.like(again.calls.at(-1), { action: 'issueCoupon', input: { amountFen: 3000 } });
  t.is(again.end.code, 'resolved');

  const twice = walk(sop('late_arrival'), { actions: lateActions, signals: [reject, reject], decisions: [{ decision: 'explain', note: '…' }, { decision: 'close', note: '…' }] });
  t.deepEqual(twice.escalations.at(-1), { to: 'supervisor_group', reason: 'rejected_twice' });
  t.like(twice.end, { status: 'closed', code: 'closed_by_supervisor' });
});

const attitudeActions: Record<string, ActionStub> = { issueCoupon: (i) => ({ couponId: 'C1', amountFen: i.amountFen }) };

test('service complaint: at fault → apology coupon, confirmed; a re-review does not give a second coupon', (t) => {
  const w = walk(sop('attitude'), { actions: attitudeActions, signals: [accept], decisions: [{ decision: 'penalty', note: '已处罚司机。' }] });
  t.like(w.calls[0], { action: 'issueCoupon', input: { userId: 'U1', amountFen: 1000 } });
  t.true(w.messages[1]!.includes('¥10.00'));
  t.is(w.end.code, 'resolved');

  const twice = walk(sop('attitude'), { actions: attitudeActions, signals: [reject, reject], decisions: [{ decision: 'warning' }, { decision: 'penalty' }, { decision: 'close' }] });
  t.is(twice.calls.filter((c) => c.action === 'issueCoupon').length, 1);
  t.deepEqual(twice.escalations.at(-1), { to: 'supervisor_group', reason: 'rejected_twice' });
  t.like(twice.end, { status: 'closed', code: 'closed_by_supervisor' });
});

test('service complaint: no fault → explanation → confirmed → closed', (t) => {
  const w = walk(sop('attitude'), { actions: attitudeActions, signals: [accept], decisions: [{ decision: 'no_fault', note: '录音显示司机态度正常。' }] });
  t.deepEqual(w.calls, []);
  t.true(w.messages[1]!.includes('录音显示司机态度正常。'));
  t.like(w.end, { code: 'resolved', data: { decision: 'no_fault' } });
});

for (const type of ['cargo_damage', 'cargo_loss']) {
  const actions: Record<string, ActionStub> = {
    fetchOrder: () => order,
    collectEvidence: () => ({ trajectory: [], signOffPhotos: [] }),
    issueRefund: (i) => ({ refundId: 'RF1', amountFen: i.amountFen }),
  };
  test(`${type}: liable within the limit → payout confirmed; above the limit → a supervisor approves; not liable → explained`, (t) => {
    const paid = walk(sop(type), { actions, signals: [{ files: ['a.jpg'] }, accept], decisions: [{ decision: 'liable', data: { amountFen: 20_000 } }] });
    t.like(paid.calls.at(-1), { action: 'issueRefund', input: { orderId: 'O1', amountFen: 20_000 } });
    t.true(paid.messages[1]!.includes('¥200.00'));
    t.like(paid.end, { code: 'resolved', data: { amountFen: 20_000 } });

    const limit = sop(type).policy!.claimLimitFen as number;
    const big = walk(sop(type), { actions, signals: ['timeout', accept], decisions: [{ decision: 'liable', data: { amountFen: limit + 1 } }, { decision: 'approve' }] });
    t.deepEqual(big.escalations, [{ to: 'supervisor_group', reason: 'claim_above_limit' }]);
    t.is(big.path.indexOf('claim_approval'), big.path.indexOf('escalate_above_limit') + 1);
    t.like(big.calls.at(-1), { action: 'issueRefund', input: { amountFen: limit + 1 } });

    const rejected = walk(sop(type), { actions, signals: ['timeout', accept], decisions: [{ decision: 'liable', data: { amountFen: limit + 1 } }, { decision: 'reject' }, { decision: 'not_liable', note: '签收照片显示完好。' }] });
    t.deepEqual(rejected.path.filter((s) => s === 'claims_review').length, 2);
    t.false(rejected.calls.some((c) => c.action === 'issueRefund'));
    t.like(rejected.end, { code: 'resolved', data: { decision: 'not_liable' } });
  });
}

test('safety incident: escalated at once, on-call paged, police involved → closed', (t) => {
  const w = walk(sop('safety_incident'), { actions: { notifyOnCall: () => ({ notifiedAt: 'x' }) }, decisions: [{ decision: 'police_involved', note: '已报警。' }] }, { subtype: 'threat', issueText: '司机威胁我' });
  t.deepEqual(w.escalations[0], { to: 'safety_group', reason: 'safety_incident' });
  t.deepEqual(w.calls[0], { action: 'notifyOnCall', input: { group: 'safety_group', summary: 'ticket TK1 (threat): 司机威胁我' } });
  t.like(w.end, { status: 'closed', code: 'police_involved' });
  const step = sop('safety_incident').steps.safety_handling!;
  t.is(step.sla, '$handlingSla');
  t.is(sop('safety_incident').policy!.handlingSla, 15 * 60_000);
  t.deepEqual(step.onBreach, { action: 'escalate', to: 'supervisor_group' });
});

test('app technical: tech ticket, overdue fix escalated, fixed, confirmed', (t) => {
  const w = walk(sop('app_technical'), { actions: { createTechTicket: () => ({ techTicketId: 'TT9' }) }, signals: ['timeout', { note: '已修复 5.2.1' }, accept] });
  t.deepEqual(w.calls[0]!.input, { summary: '等候费多收了', appVersion: '5.2.0', region: 'shenzhen' });
  t.deepEqual(w.escalations, [{ to: 'tech_team', reason: 'tech_fix_timeout' }]);
  t.true(w.messages.at(-1)!.includes('TT9') && w.messages.at(-1)!.includes('已修复 5.2.1'));
  t.like(w.end, { code: 'resolved', data: { techTicketId: 'TT9' } });
});

test('triage: every routed type closes as rerouted_<type> naming an existing SOP; general is handled here', (t) => {
  const route = sop('triage').steps.route!;
  if (route.kind !== 'human_task') return t.fail();
  for (const decision of route.decisions.filter((d) => d !== 'general')) {
    const w = walk(sop('triage'), { decisions: [{ decision }] });
    t.is(w.end.code, `rerouted_${decision}`);
    t.true(sops.has(decision), decision);
  }
  const g = walk(sop('triage'), { decisions: [{ decision: 'general' }, { decision: 'resolved', note: '发票已开具。' }] });
  t.is(g.messages[0], '您的请求已处理:发票已开具。');
  t.is(g.end.code, 'resolved');
});

test('every label of the intake taxonomy is handled by exactly one default SOP', async (t) => {
  const { taxonomyLabels } = await import('../nlp/config');
  const matches = (pattern: string, label: string) => pattern === label || (pattern.endsWith('/*') && label.startsWith(pattern.slice(0, -1)));
  for (const label of taxonomyLabels()) {
    const handlers = [...sops.values()].filter((d) => d.appliesTo.some((p) => matches(p, label))).map((d) => d.type);
    t.is(handlers.length, 1, `${label}: ${handlers.join(', ') || 'none'}`);
  }
});

test('the default policies carry every value the real matching actions read', async (t) => {
  const { feeDisputeActivities } = await import('../activities/fee-dispute');
  const { generateOrders } = await import('../sandbox');
  const orders = generateOrders(7, 200);
  const overcharged = orders.find((o) => o.scenario === 'waiting_fee_overcharged')!;
  const late = orders.find((o) => o.scenario === 'late_arrival')!;
  const analysis = await feeDisputeActivities.analyzeFeeDispute({ order: overcharged, claim: { namedItems: ['waiting_fee'], amountsFen: [] } });
  const matched = await feeDisputeActivities.matchFeeSolution({ analysis, order: overcharged, userTier: 'standard', language: 'zh', policy: sop('fee_dispute').policy! });
  t.is(matched.solution.kind, 'refund');
  const w = walk(sop('fee_dispute'), { actions: feeActions(matched.solution as unknown as Record<string, unknown>, { matchFeeSolution: () => matched }), signals: [accept] }, { orderId: overcharged.id });
  t.is(w.messages[0], matched.message);
  t.deepEqual(w.calls.find((c) => c.action === 'applySolution')!.input.solution, matched.solution);

  const comp = await feeDisputeActivities.lateArrivalCompensation({ order: late, language: 'en', policy: sop('late_arrival').policy! });
  t.is(comp.solution.kind, 'coupon');
});
