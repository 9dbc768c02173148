// One workflow per ticket (id "ticket-<id>"): interprets the SOP document it was started with, one
// step at a time. Business rules live in the SOP and in activities; this file is the loop, the
// waits, the handlers and the bookkeeping that makes every step visible (events, search attributes).
import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  TimeoutFailure,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ActionActivities, Activities } from '../activities';
import type { ActionMeta } from '../activities/meta';
import type { TicketStatus } from '../schema/tables';
import { safeCopy } from '../sops/decision-data';
import { parseDuration } from '../sops/duration';
import { evaluate, isTruthy, renderTemplate } from '../sops/expressions';
import type { ActionName } from '../sops/actions';
import type { HumanTaskStep, SopDocument, SopStep } from '../sops/types';
import { decisionRefusal } from './decision-check';
import { mapValues, outsideSteps, summarize } from './event-data';
import { confirmSolutionUpdate, decideUpdate, deliverSignalUpdate, reopenUpdate, ticketStateQuery } from './definitions';
import { installSatisfactionHandlers, newSatisfaction, reviewThresholdOf, type SatisfactionState } from './satisfaction';
import { builtinStep, HANDOFF, type Handoff } from './handoff';
import { installHolderHandlers } from './holders';
import { PATCHES } from './patches';
import * as attrs from './search-attributes';
import type { AgentDecision, TicketLiveState, TicketOutcome, TicketProgress, TicketWorkflowInput } from './types';

const retry = { initialInterval: '1 second', maximumInterval: '1 minute' };
/** failures no retry can heal: bad input, another system's 4xx, a ticket whose user does not own the order */
const NON_RETRYABLE = ['order_owner_mismatch', 'bad_request', 'invalid_input', 'orders_rejected', 'finance_rejected', 'sms_rejected'];
const internal = proxyActivities<Activities>({ startToCloseTimeout: '15 seconds', retry });
// read-model writes are short, idempotent and local to the worker: no task-queue round trip per event
// after a database outage the read model catches up within seconds of its return, not at the next minute-long backoff
const store = proxyLocalActivities<Activities>({ startToCloseTimeout: '15 seconds', retry: { initialInterval: '1 second', maximumInterval: '5 seconds' } });
type ActionFn = (input: Record<string, unknown>, meta: ActionMeta) => Promise<unknown>;

const SUPERVISORS = 'supervisor_group';
/** an action step without sla is bounded by the policy value actionSla, else by this */
const DEFAULT_ACTION_SLA_MS = 5 * 60 * 1000;
/** a closed ticket accepts a reopen for this long unless its SOP's policy says otherwise */
const DEFAULT_REOPEN_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

interface Counters {
  rejections: number;
  reopens: number;
  visits: Record<string, number>;
}

export async function ticketWorkflow(input: TicketWorkflowInput): Promise<TicketOutcome> {
  const { ticket } = input;
  let sop: SopDocument = input.sop;
  let policy = input.policy;
  const progress: TicketProgress = input.resume ?? { stepId: sop.start, status: sop.type === 'triage' ? 'triage' : 'open', seq: 1, context: {}, run: 1 };
  const ctx = progress.context;
  ctx.ticket = ticket;
  ctx.policy = policy;
  const counters = (ctx.counters ??= { rejections: 0, reopens: 0, visits: {} }) as Counters;

  let waiting: TicketLiveState['waitingFor'] = null;
  let stepKind: string | null = null;
  let pendingSignal: { name: string; payload: Record<string, unknown> } | null = null;
  let pendingDecision: AgentDecision | null = null;
  /** the human_task waiting for a decision: its data schema and distinctFrom rule are checked in the validator */
  let humanStep: HumanTaskStep | null = null;
  let reopenRequest: { reason: string; actor?: string } | null = null;
  /** the user's rating and the review it opened (carried across continue-as-new in the context) */
  const satisfaction = (ctx.satisfaction ??= newSatisfaction()) as SatisfactionState;
  let reopenable = false;
  let outcome: TicketOutcome = { status: progress.status, resolution: {} };

  const live = (): TicketLiveState => ({
    status: progress.status,
    step: progress.stepId ?? 'end',
    stepKind,
    sop: { type: sop.type, version: sop.version },
    // a human step's clock as it stands (waiting.until is the deadline set on entry): moved by pauses, or paused with the time left
    waitingFor: waiting?.kind === 'human_task' ? { ...waiting, ...holders.clock() } : waiting,
    solution: ctx.lastSolution ?? null,
    holder: holders.holder(),
  });

  // Handlers first: messages that arrived before the workflow started are delivered once they exist.
  // Validators stay synchronous: an async validator is not awaited (sdk-typescript #1542).
  setHandler(ticketStateQuery, live);
  setHandler(
    confirmSolutionUpdate,
    (answer) => {
      pendingSignal = { name: 'confirmation', payload: { accepted: answer.accepted, ...(typeof answer.comment === 'string' && answer.comment ? { comment: answer.comment } : {}) } };
      return { accepted: answer.accepted, status: progress.status };
    },
    {
      validator: (answer) => {
        if (waiting?.kind !== 'signal' || waiting.signal !== 'confirmation' || pendingSignal) {
          throw new Error(`ticket is ${progress.status} at step ${progress.stepId ?? 'end'}, not awaiting a confirmation`);
        }
        if (typeof answer?.accepted !== 'boolean') throw new Error('accepted must be a boolean');
      },
    },
  );
  setHandler(
    deliverSignalUpdate,
    (delivery) => {
      pendingSignal = { name: delivery.name, payload: (safeCopy(delivery.payload ?? {}) ?? {}) as Record<string, unknown> };
      return live();
    },
    {
      validator: (delivery) => {
        if (waiting?.kind !== 'signal' || waiting.signal !== delivery?.name || pendingSignal) {
          throw new Error(`ticket is at step ${progress.stepId ?? 'end'}, not waiting for ${String(delivery?.name)}`);
        }
        if (delivery.payload !== undefined && (typeof delivery.payload !== 'object' || delivery.payload === null || Array.isArray(delivery.payload))) throw new Error('payload must be an object');
      },
    },
  );
  setHandler(
    decideUpdate,
    (decision) => {
      // only the known fields, with a payload copy of own safe keys: nothing reaches the context's prototypes
      pendingDecision = {
        decision: decision.decision,
        agentId: decision.agentId,
        ...(typeof decision.actingFor === 'string' ? { actingFor: decision.actingFor } : {}),
        ...(typeof decision.note === 'string' ? { note: decision.note } : {}),
        ...(decision.data !== undefined && decision.data !== null ? { data: safeCopy(decision.data) as Record<string, unknown> } : {}),
      };
      return live();
    },
    {
      validator: (decision) => {
        const refusal = decisionRefusal(decision, { waiting, pending: pendingDecision, step: humanStep, stepId: progress.stepId, ctx, holderProblem: (d) => holders.decisionProblem(d) });
        if (refusal) throw new Error(refusal);
      },
    },
  );
  setHandler(
    reopenUpdate,
    (request) => {
      reopenRequest = request;
      return live();
    },
    {
      validator: (_request) => {
        if (!reopenable || reopenRequest) throw new Error(`ticket is ${progress.status}: only a closed ticket within its reopen window can be reopened`);
      },
    },
  );

  // assign, release, transfer, escalate, requestInfo, provideInfo, holderSilent (workflows/holders.ts)
  const holders = installHolderHandlers({
    ctx,
    status: () => progress.status,
    record: (step, kind, data, change) => record(step, kind, data, change),
    supervisors: SUPERVISORS,
    moveTo: (group) => {
      if (waiting?.kind === 'human_task') waiting = { ...waiting, group, until: null };
    },
  });
  // satisfaction (issue 19): new update handlers only (workflows/satisfaction.ts)
  installSatisfactionHandlers({
    ticket,
    state: satisfaction,
    threshold: () => reviewThresholdOf(policy),
    notRateable: () => (reopenable ? null : `ticket is ${progress.status}: only a closed ticket within its reopen window can be rated`),
    record: (step, kind, data, change) => record(step, kind, data, change),
    openReview: (input) => internal.openReview(input),
    reopen: (request) => void (reopenRequest = request),
    live,
  });

  interface Change {
    status?: TicketStatus;
    actor?: string;
    skillGroup?: string;
    resolution?: Record<string, unknown>;
    sop?: { type: string; version: number };
  }

  /** Writes one ticket event (and what changed) and mirrors it to the Temporal UI. */
  async function record(step: string, kind: string, data: Record<string, unknown> = {}, change: Change = {}) {
    const updates: Parameters<typeof upsertSearchAttributes>[0] = [];
    if (change.status && change.status !== progress.status) {
      progress.status = change.status;
      updates.push({ key: attrs.TicketStatus, value: change.status });
    }
    if (change.skillGroup) updates.push({ key: attrs.SkillGroup, value: change.skillGroup });
    if (change.sop) updates.push({ key: attrs.TicketType, value: change.sop.type });
    if (updates.length) upsertSearchAttributes(updates);
    setCurrentDetails(
      `**${progress.status}** · SOP \`${sop.type}\` v${sop.version} · step \`${step}\` (${kind})` +
        (waiting ? ` · waiting for ${waiting.kind === 'signal' ? waiting.signal : `a decision of ${waiting.group}`}${waiting.until ? ` until ${waiting.until}` : ''}` : ''),
    );
    await store.recordProgress({
      ticketId: ticket.id,
      seq: progress.seq++,
      at: new Date().toISOString(),
      step,
      kind,
      actor: change.actor ?? 'system',
      data,
      status: change.status,
      resolution: change.resolution,
      skillGroup: change.skillGroup,
      sop: change.sop,
      // an input field, not a command: replay-safe (analytics, issue 21)
      ranUnder: { type: sop.type, version: sop.version, stepKind: outsideSteps(kind) ? null : stepKind },
    });
  }

  async function runAction(stepId: string, step: Extract<SopStep, { kind: 'action' }>): Promise<string | null> {
    await record(stepId, 'entered', { owner: step.owner, action: step.action, ...(step.sla ? { sla: step.sla } : {}) }, progress.status === 'open' || progress.status === 'triage' ? { status: 'in_progress' } : {});
    const visit = counters.visits[stepId] ?? 1;
    const meta: ActionMeta = { ticketId: ticket.id, stepId, visit, idempotencyKey: `${ticket.id}:${stepId}:${visit}` };
    // the step's SLA bounds all retries together; past it the action counts as failed
    const slaMs = step.sla ? parseDuration(step.sla, policy) : typeof policy.actionSla === 'number' && policy.actionSla > 0 ? policy.actionSla : DEFAULT_ACTION_SLA_MS;
    const actions = proxyActivities<ActionActivities>({
      startToCloseTimeout: '30 seconds',
      scheduleToCloseTimeout: slaMs,
      retry: { ...retry, nonRetryableErrorTypes: NON_RETRYABLE },
      summary: `${stepId}: ${step.action}`,
    });
    let result: unknown;
    try {
      // the validator admitted only catalogued actions; each takes (evaluated input, meta)
      const action = actions[step.action as ActionName] as unknown as ActionFn;
      result = await action(mapValues(step.input ?? {}, (e) => evaluate(e, ctx)) as Record<string, unknown>, meta);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      const error = err.cause?.message ?? err.message;
      // past its sla the last attempt's error is reported, marked as a timeout
      const timedOut = err.retryState === 'TIMEOUT' || err.cause instanceof TimeoutFailure;
      await record(stepId, 'failed', { action: step.action, error, ...(timedOut ? { timedOut: true, slaMs } : {}) });
      if (step.onError) return step.onError;
      if (patched(PATCHES.failureHandoff)) return handOff(stepId, { group: SUPERVISORS, level: 2, reason: `action_failed:${step.action}`, decisions: ['retry', 'close'], extra: { error } });
      return escalateAndEnd(stepId, SUPERVISORS, 2, `action_failed:${step.action}`, { error });
    }
    if (step.output) ctx[step.output] = result;
    if (result && typeof result === 'object' && 'solution' in result) ctx.lastSolution = (result as { solution: unknown }).solution;
    await record(stepId, 'completed', { ...(step.output ? { output: step.output } : {}), result: summarize(result) });
    return step.next;
  }

  async function escalateAndEnd(stepId: string, to: string, level: number, reason: string, extra: Record<string, unknown> = {}): Promise<null> {
    const resolution = { code: 'escalated', reason, toGroup: to, level, ...extra };
    await record(stepId, 'escalated', { to, level, reason, ...extra }, { status: 'escalated', skillGroup: to, resolution });
    outcome = { status: 'escalated', resolution };
    return null;
  }

  /** Hands the ticket to a built-in human step of `group`: nobody is left without a way to act. */
  async function handOff(stepId: string, h: { group: string; level: number; reason: string; decisions: string[]; stoppedAt?: string | null; extra?: Record<string, unknown> }): Promise<string> {
    ctx.handoff = { step: stepId, group: h.group, reason: h.reason, decisions: h.decisions, ...(h.stoppedAt !== undefined ? { stoppedAt: h.stoppedAt } : {}) } satisfies Handoff;
    await record(stepId, 'escalated', { to: h.group, level: h.level, reason: h.reason, ...h.extra }, { status: 'escalated', skillGroup: h.group });
    return HANDOFF;
  }


  async function runWaitSignal(stepId: string, step: Extract<SopStep, { kind: 'wait_signal' }>): Promise<string> {
    const timeoutMs = parseDuration(step.timeout, policy);
    waiting = { kind: 'signal', signal: step.signal, until: new Date(Date.now() + timeoutMs).toISOString() };
    const status: TicketStatus = step.signal === 'confirmation' ? 'awaiting_confirmation' : progress.status === 'escalated' ? 'escalated' : 'in_progress';
    await record(stepId, 'entered', { owner: step.owner, signal: step.signal, timeoutMs, deadline: waiting.until }, { status });
    // an answer accepted in the same activation as the timer still counts
    const arrived = (await condition(() => pendingSignal !== null, timeoutMs)) || pendingSignal !== null;
    waiting = null;
    if (!arrived) {
      await record(stepId, 'sla_breached', { signal: step.signal, timeoutMs });
      return step.onTimeout;
    }
    const signal = pendingSignal!;
    pendingSignal = null;
    if (signal.name === 'confirmation' && signal.payload.accepted === false) counters.rejections++;
    if (step.output) ctx[step.output] = signal.payload;
    await record(stepId, 'signal', { signal: signal.name, ...signal.payload }, { actor: `user:${ticket.userId}`, status: progress.status === 'escalated' ? 'escalated' : 'in_progress' });
    return step.next;
  }

  async function runHumanTask(stepId: string, step: HumanTaskStep): Promise<string> {
    const slaMs = step.sla ? parseDuration(step.sla, policy) : undefined;
    humanStep = step;
    waiting = { kind: 'human_task', group: step.group, decisions: step.decisions, until: slaMs ? new Date(Date.now() + slaMs).toISOString() : null, ...(step.data ? { data: step.data } : {}) };
    // an escalated ticket stays in the escalation queue, a triage ticket in triage
    const status: TicketStatus = progress.status === 'escalated' || progress.status === 'triage' ? progress.status : 'in_progress';
    await record(stepId, 'entered', { owner: step.owner, group: step.group, task: step.task, decisions: step.decisions, ...(slaMs ? { slaMs, deadline: waiting.until } : {}) }, { status, skillGroup: step.group });
    holders.begin(stepId, slaMs);
    const decided = await holders.awaitDecision(() => pendingDecision !== null, slaMs);
    if (!decided) {
      const rule = step.onBreach ?? { action: 'escalate', to: SUPERVISORS };
      if (rule.action === 'continue' && rule.next) {
        // stop accepting decisions before recording: one accepted meanwhile would leak into the next human step
        waiting = null;
        humanStep = null;
        holders.end();
        await record(stepId, 'sla_breached', { group: step.group, slaMs });
        return rule.next;
      }
      await record(stepId, 'sla_breached', { group: step.group, slaMs });
      if (rule.action === 'escalate') {
        const to = rule.to ?? SUPERVISORS;
        waiting = { ...waiting, group: to, until: null };
        holders.escalated();
        await record(stepId, 'escalated', { to, level: 2, reason: 'sla_breached' }, { status: 'escalated', skillGroup: to });
      } else {
        await record(stepId, 'notified', { to: rule.to ?? step.group, message: `SLA of ${stepId} breached` });
      }
      await condition(() => pendingDecision !== null);
    }
    waiting = null;
    humanStep = null;
    holders.end();
    const decision = pendingDecision!;
    pendingDecision = null;
    if (step.output) ctx[step.output] = decision;
    await record(stepId, 'decided', { ...decision }, { actor: `agent:${decision.agentId}` });
    return typeof step.next === 'string' ? step.next : step.next[decision.decision]!;
  }

  async function runClose(stepId: string, step: Extract<SopStep, { kind: 'close' }>): Promise<string | null> {
    if (step.resolution.startsWith('rerouted_')) {
      // triage decided the type: the ticket goes on under that type's latest SOP, in this same workflow
      let next: Awaited<ReturnType<Activities['resolveSopByType']>>;
      try {
        next = await internal.resolveSopByType({ type: step.resolution.slice('rerouted_'.length) });
      } catch (err) {
        if (!(err instanceof ActivityFailure) || !patched(PATCHES.rerouteHandoff)) throw err;
        const error = err.cause?.message ?? err.message;
        await record(stepId, 'failed', { action: 'resolveSopByType', error });
        return handOff(stepId, { group: SUPERVISORS, level: 2, reason: 'reroute_failed', decisions: ['retry', 'close'], extra: { error } });
      }
      await record(stepId, 'rerouted', { from: { type: sop.type, version: sop.version }, to: { type: next.document.type, version: next.document.version } }, { status: 'open', sop: { type: next.document.type, version: next.document.version } });
      sop = next.document;
      ctx.policy = policy = next.policy;
      return sop.start;
    }
    const resolution = { code: step.resolution, ...(step.data ? mapValues(step.data, (e) => evaluate(e, ctx)) : {}) };
    await record(stepId, 'entered', { owner: step.owner });
    // the status turns closed with the last event, so a reader that sees "closed" sees the whole history
    await record(stepId, 'archived', { resolution, handledInMs: Date.now() - workflowInfo().startTime.getTime(), reopens: counters.reopens }, { status: 'closed', resolution });
    outcome = { status: 'closed', resolution };
    return null;
  }

  async function runStep(stepId: string, step: SopStep): Promise<string | null> {
    stepKind = step.kind;
    counters.visits[stepId] = (counters.visits[stepId] ?? 0) + 1;
    switch (step.kind) {
      case 'action':
        return runAction(stepId, step);
      case 'decision': {
        const index = step.branches.findIndex((b) => isTruthy(evaluate(b.when, ctx)));
        const next = index >= 0 ? step.branches[index]!.next : step.otherwise;
        await record(stepId, 'decided', { branch: index >= 0 ? index : 'otherwise', next });
        return next;
      }
      case 'notify': {
        const message = renderTemplate(ticket.language === 'en' ? step.message.en : step.message.zh, ctx);
        await record(stepId, 'notified', { to: step.to, channels: step.channels ?? ['in_app'], message });
        return step.next;
      }
      case 'escalate':
        if (!step.next) {
          // only documents published before `next` was required get here
          if (patched(PATCHES.escalationHandoff)) return handOff(stepId, { group: step.to, level: step.level, reason: step.reason, decisions: ['close'] });
          return escalateAndEnd(stepId, step.to, step.level, step.reason);
        }
        await record(stepId, 'escalated', { to: step.to, level: step.level, reason: step.reason }, { status: 'escalated', skillGroup: step.to });
        return step.next;
      case 'wait_signal':
        return runWaitSignal(stepId, step);
      case 'human_task':
        return runHumanTask(stepId, step);
      case 'close':
        return runClose(stepId, step);
    }
  }

  // started again by the reconciler: the supervisors decide, and 'retry' runs the procedure from its start
  const { recover } = input;
  if (recover && patched(PATCHES.recoveryHandoff)) {
    progress.stepId = await handOff(sop.start, { group: SUPERVISORS, level: 2, reason: recover.reason, decisions: ['retry', 'close'], stoppedAt: recover.stoppedAt, extra: { recovered: true, stoppedAt: recover.stoppedAt, previousStatus: recover.previousStatus } });
  }

  for (;;) {
    while (progress.stepId) {
      if (workflowInfo().continueAsNewSuggested) {
        // keep the history small for long-lived tickets; the new run resumes at this very step
        await condition(allHandlersFinished);
        const { ticket: _ticket, policy: _policy, ...context } = ctx; // both travel as arguments already
        return continueAsNew<typeof ticketWorkflow>({ ticket, sop, policy, resume: { ...progress, context, run: progress.run + 1 } });
      }
      const step = Object.prototype.hasOwnProperty.call(sop.steps, progress.stepId) ? sop.steps[progress.stepId] : builtinStep(progress.stepId, ctx.handoff as Handoff | undefined, policy);
      if (!step) throw new Error(`SOP ${sop.type} v${sop.version} has no step ${progress.stepId}`);
      progress.stepId = await runStep(progress.stepId, step);
    }
    stepKind = null;
    const windowMs = outcome.status === 'closed' ? (typeof policy.reopenWindow === 'number' ? policy.reopenWindow : DEFAULT_REOPEN_WINDOW_MS) : 0;
    if (!windowMs) return outcome;
    // a closed ticket stays reopenable for a while: the user may say it is not solved (二次处理)
    reopenable = true;
    let reopened = await condition(() => reopenRequest !== null, windowMs);
    reopenable = false;
    // a review opened by a low rating keeps the ticket open for its outcome (only tickets rated low get here)
    if (!reopened && satisfaction.review.open) reopened = (await condition(() => reopenRequest !== null || !satisfaction.review.open), reopenRequest !== null);
    if (!reopened) {
      await condition(allHandlersFinished); // a rating being recorded as the window ends is kept
      return outcome;
    }
    counters.reopens++;
    await record('reopen', 'reopened', { reason: reopenRequest!.reason, secondHandling: true, reopens: counters.reopens }, { status: 'open', actor: reopenRequest!.actor ?? `user:${ticket.userId}` });
    reopenRequest = null;
    progress.stepId = sop.start;
  }
}
