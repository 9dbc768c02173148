// Facts about the default SOP documents that need no running ticket. Their paths run through the
// real ticketWorkflow in sop-flows, sop-default-paths, sop-handoffs and fee-dispute-flow.
import test from 'ava';
import { loadDefaultSops } from '../sops/load';

const sops = new Map(loadDefaultSops().map((d) => [d.type, d]));
const sop = (type: string) => sops.get(type)!;

test('triage: every routed type closes as rerouted_<type> naming an existing SOP; general is handled here', (t) => {
  const route = sop('triage').steps.route!;
  if (route.kind !== 'human_task' || typeof route.next === 'string') return t.fail('route is a human_task with a next per decision');
  for (const decision of route.decisions) {
    const target = sop('triage').steps[route.next[decision]!]!;
    if (decision === 'general') {
      t.is(target.kind, 'human_task');
      continue;
    }
    t.like(target, { kind: 'close', resolution: `rerouted_${decision}` });
    t.true(sops.has(decision), decision);
  }
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
  t.regex(matched.message, new RegExp(overcharged.id));
  const comp = await feeDisputeActivities.lateArrivalCompensation({ order: late, language: 'en', policy: sop('late_arrival').policy! });
  t.is(comp.solution.kind, 'coupon');
});

test('every escalation of the defaults goes to a step someone acts on, and the supervisors have one in every SOP that escalates to them', (t) => {
  for (const d of sops.values()) {
    const escalatesToSupervisors = Object.values(d.steps).some((s) => s.kind === 'escalate' && s.to === 'supervisor_group');
    const supervisorsAct = Object.values(d.steps).some((s) => s.kind === 'human_task' && s.group === 'supervisor_group');
    if (escalatesToSupervisors) t.true(supervisorsAct, d.type);
    for (const [id, s] of Object.entries(d.steps)) if (s.kind === 'escalate') t.truthy(s.next, `${d.type}.${id}`);
  }
});

test('amounts agents enter are typed: every money decision bounds data.amountFen', (t) => {
  const money: string[] = [];
  for (const d of sops.values()) {
    for (const [id, s] of Object.entries(d.steps)) {
      if (s.kind !== 'human_task') continue;
      for (const [decision, fields] of Object.entries(s.data ?? {})) {
        if (!fields.amountFen) continue;
        money.push(`${d.type}.${id}.${decision}`);
        t.like(fields.amountFen, { type: 'integer', min: 1 }, `${d.type}.${id}.${decision}`);
        t.not(fields.amountFen.max, undefined, `${d.type}.${id}.${decision} max`);
      }
    }
  }
  t.deepEqual(money.sort(), ['cargo_damage.claims_review.liable', 'cargo_loss.claims_review.liable', 'fee_dispute.fee_review.coupon', 'fee_dispute.fee_review.refund', 'late_arrival.exception_review.coupon']);
});

test('late arrival and fee dispute: a manual_review solution (e.g. order_owner_mismatch) reaches a human review without any paying step', async (t) => {
  const { ACTIONS } = await import('../sops/actions');
  for (const [type, group] of [['late_arrival', 'order_exception_group'], ['fee_dispute', 'fee_group']] as const) {
    const d = sop(type);
    const check = d.steps.check_solution!;
    if (check.kind !== 'decision') return t.fail(`${type}.check_solution is a decision`);
    const branch = check.branches.find((b) => JSON.stringify(b.when).includes('manual_review'))!;
    t.deepEqual(branch.when, { '==': [{ var: 'proposal.solution.kind' }, 'manual_review'] }, `${type}: a branch for manual_review`);
    // follow the branch up to the first human step: no action that changes another system on the way
    const seen: string[] = [];
    let id: string = branch.next;
    for (;;) {
      const s = d.steps[id]!;
      seen.push(id);
      if (s.kind === 'human_task') {
        t.is(s.group, group, type);
        break;
      }
      if (s.kind === 'action') t.is(ACTIONS[s.action]!.retry, 'read', `${type}.${id} moves nothing`);
      t.true(s.kind === 'notify' || s.kind === 'escalate' || s.kind === 'action', `${type}.${id} is a straight step`);
      id = (s as { next: string }).next;
    }
    t.deepEqual(seen, ['notify_manual_review', 'escalate_manual_review', group === 'fee_group' ? 'fee_review' : 'exception_review']);
  }
});

test('anomaly alert: needs no end user (no notice to the user, no confirmation) and pages the tech team before its human step', (t) => {
  const d = sop('anomaly_alert');
  t.deepEqual(d.appliesTo, ['anomaly/*']);
  for (const [id, s] of Object.entries(d.steps)) {
    t.false(s.kind === 'notify' && s.to === 'user', `${id} tells no user`);
    t.false(s.kind === 'wait_signal' && s.signal === 'confirmation', `${id} awaits no user`);
  }
  const path: string[] = [];
  for (let id: string = d.start; d.steps[id]!.kind !== 'human_task'; id = (d.steps[id] as { next: string }).next) path.push(id);
  t.deepEqual(path, ['create_tech_ticket', 'page_tech_team']);
  t.like(d.steps.page_tech_team, { kind: 'action', action: 'notifyOnCall', input: { group: 'tech_team' } });
  t.like(d.steps.investigate, { kind: 'human_task', group: 'tech_team' });
});

test("the agent steps where a silent holder keeps a user waiting carry a silence rule, its time a policy value shorter than the step's SLA", async (t) => {
  const { parseDuration } = await import('../sops/duration');
  const rules: string[] = [];
  for (const d of sops.values()) {
    for (const [id, s] of Object.entries(d.steps)) {
      if (s.kind !== 'human_task' || !s.silence) continue;
      rules.push(`${d.type}.${id}: ${s.silence.action}`);
      const after = String(s.silence.after);
      const name = /^\$(\w+)$/.exec(after)?.[1];
      if (!name) return t.fail(`${d.type}.${id}: silence.after is ${after}, not a $policy value an environment can shorten`);
      t.is(parseDuration(after, { ...d.policy, [name]: 7 }), 7, `${d.type}.${id}: an override of ${name} sets the time`);
      t.true(parseDuration(after, d.policy) < parseDuration(s.sla!, d.policy), `${d.type}.${id}: fires before the SLA runs out`);
    }
  }
  t.deepEqual(rules.sort(), [
    'cargo_damage.claims_review: notify_supervisor',
    'cargo_loss.claims_review: notify_supervisor',
    'fee_dispute.fee_review: notify_supervisor',
    'late_arrival.exception_review: reassign',
    'safety_incident.safety_handling: notify_supervisor',
  ]);
});
