// Who holds a ticket's waiting human step, and its SLA clock: the assign, release, transfer,
// requestInfo, provideInfo and holderSilent updates (issue 18). The holder lives in the context
// (`ctx.holder`), so it survives continue-as-new; every change is a ticket event written here.
// Validators are synchronous and name the reason of a refusal (the API answers 409 with it).
import { condition, setHandler } from '@temporalio/workflow';
import type { TicketStatus } from '../schema/tables';
import { assignUpdate, escalateUpdate, holderSilentUpdate, provideInfoUpdate, releaseUpdate, requestInfoUpdate, transferUpdate } from './definitions';
import type { AgentDecision, Holder, HolderState } from './types';

/** The human step waiting for a decision: its SLA clock (epoch ms) and where it was before a pause. */
interface OpenStep {
  stepId: string;
  /** an agent escalated: the step waits for the supervisors without a clock */
  escalated: boolean;
  deadline: number | null;
  pausedAt: number | null;
  statusBeforePause: TicketStatus | null;
}

interface Change {
  status?: TicketStatus;
  actor?: string;
  skillGroup?: string;
}

export interface HolderEnv {
  ctx: Record<string, unknown>;
  status(): TicketStatus;
  record(step: string, kind: string, data: Record<string, unknown>, change?: Change): Promise<void>;
  /** the group told when a holder is silent and the rule says so; the group an agent escalates to */
  supervisors: string;
  /** the waiting step now waits for this group (the workflow's own view of the wait) */
  moveTo(group: string): void;
}

const MAX_QUESTION = 500;
const text = (v: unknown, field: string, max = 200) => {
  if (typeof v !== 'string' || !v.trim() || v.length > max) throw new Error(`${field} must be a non-empty string of at most ${max} characters`);
};
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
/** the event's actor: staff ids become agent:<id>; service:… and user:… stay as they are */
const actor = (by: string) => (by === 'dispatcher' || by === 'system' ? 'system' : by.includes(':') ? by : `agent:${by}`);

export function installHolderHandlers(env: HolderEnv) {
  const { ctx } = env;
  let open: OpenStep | null = null;
  const holder = (): Holder | null => (ctx.holder as Holder | null | undefined) ?? null;
  const state = (): HolderState => ({ step: open?.stepId ?? 'none', holder: holder(), deadline: iso(open?.deadline ?? null), pausedAt: iso(open?.pausedAt ?? null) });
  const mustBeOpen = (): OpenStep => {
    if (!open) throw new Error('ticket is not waiting for an agent: nothing to hold');
    return open;
  };
  const mustHold = (agentId: unknown): Holder => {
    const h = holder();
    if (!h) throw new Error('nobody holds this ticket');
    if (h.agentId !== agentId) throw new Error(`ticket is held by ${h.agentId}, not ${String(agentId)}`);
    return h;
  };

  setHandler(
    assignUpdate,
    async (a) => {
      if (holder()?.assignmentId === a.assignmentId) return state(); // the same assignment sent again
      ctx.holder = { agentId: a.agentId, assignmentId: a.assignmentId, since: new Date().toISOString() } satisfies Holder;
      await env.record(mustBeOpen().stepId, 'assigned', { agentId: a.agentId, assignmentId: a.assignmentId, by: a.by }, { actor: actor(a.by) });
      return state();
    },
    {
      validator: (a) => {
        mustBeOpen();
        text(a?.agentId, 'agentId', 64);
        text(a.assignmentId, 'assignmentId', 100);
        text(a.by, 'by', 64);
        const h = holder();
        if (h && h.assignmentId !== a.assignmentId) throw new Error(`ticket is held by ${h.agentId}`);
      },
    },
  );
  setHandler(
    releaseUpdate,
    async (r) => {
      const assignmentId = holder()?.assignmentId;
      ctx.holder = null;
      await env.record(mustBeOpen().stepId, 'released', { agentId: r.agentId, assignmentId, by: r.by, ...(r.reason ? { reason: r.reason } : {}) }, { actor: actor(r.by) });
      return state();
    },
    {
      validator: (r) => {
        mustBeOpen();
        text(r?.by, 'by', 64);
        if (r.reason !== undefined) text(r.reason, 'reason', MAX_QUESTION);
        mustHold(r.agentId);
      },
    },
  );
  setHandler(
    transferUpdate,
    async (t) => {
      ctx.holder = { agentId: t.to, assignmentId: t.assignmentId, since: new Date().toISOString() } satisfies Holder;
      await env.record(mustBeOpen().stepId, 'transferred', { from: t.from, to: t.to, assignmentId: t.assignmentId, by: t.by, ...(t.reason ? { reason: t.reason } : {}) }, { actor: actor(t.by) });
      return state();
    },
    {
      validator: (t) => {
        mustBeOpen();
        text(t?.to, 'to', 64);
        text(t.assignmentId, 'assignmentId', 100);
        text(t.by, 'by', 64);
        if (t.reason !== undefined) text(t.reason, 'reason', MAX_QUESTION);
        mustHold(t.from);
        if (t.to === t.from) throw new Error(`${t.to} already holds this ticket`);
      },
    },
  );
  setHandler(
    requestInfoUpdate,
    async (q) => {
      const step = mustBeOpen();
      const now = Date.now();
      step.pausedAt = now;
      step.statusBeforePause = env.status();
      await env.record(step.stepId, 'info_requested', { agentId: q.agentId, question: q.question, ...(step.deadline !== null ? { remainingMs: Math.max(0, step.deadline - now) } : {}) }, { status: 'awaiting_user', actor: actor(q.agentId) });
      return state();
    },
    {
      validator: (q) => {
        const step = mustBeOpen();
        if (step.pausedAt !== null) throw new Error('ticket already waits for the user');
        text(q?.question, 'question', MAX_QUESTION);
        mustHold(q.agentId);
      },
    },
  );
  setHandler(
    provideInfoUpdate,
    async (answer) => {
      const step = mustBeOpen();
      const pausedMs = Date.now() - step.pausedAt!;
      if (step.deadline !== null) step.deadline += pausedMs;
      step.pausedAt = null;
      const status = step.statusBeforePause ?? 'in_progress';
      step.statusBeforePause = null;
      await env.record(step.stepId, 'info_received', { by: answer.by, pausedMs, deadline: iso(step.deadline), ...(answer.answer ? { answer: answer.answer } : {}) }, { status, actor: actor(answer.by) });
      return state();
    },
    {
      validator: (answer) => {
        if (open?.pausedAt === null || open?.pausedAt === undefined) throw new Error('ticket is not waiting for information from the user');
        text(answer?.by, 'by', 100);
        if (answer.answer !== undefined) text(answer.answer, 'answer', 2_000);
      },
    },
  );
  setHandler(
    escalateUpdate,
    async (e) => {
      const step = mustBeOpen();
      step.escalated = true;
      step.deadline = null;
      ctx.holder = null;
      env.moveTo(env.supervisors);
      await env.record(step.stepId, 'escalated', { to: env.supervisors, level: 2, reason: e.reason, by: e.agentId, ...(e.actingFor ? { actingFor: e.actingFor } : {}) }, { status: 'escalated', skillGroup: env.supervisors, actor: actor(e.agentId) });
      return state();
    },
    {
      validator: (e) => {
        const step = mustBeOpen();
        text(e?.agentId, 'agentId', 64);
        text(e.reason, 'reason', MAX_QUESTION);
        if (step.escalated) throw new Error('ticket is already escalated to the supervisors');
        if (step.pausedAt !== null) throw new Error('ticket waits for the user: escalate after the answer');
        const h = holder();
        if (h && h.agentId !== e.agentId && e.actingFor !== h.agentId) throw new Error(`ticket is held by ${h.agentId}: only they, or a supervisor acting for them, may escalate`);
      },
    },
  );
  setHandler(
    holderSilentUpdate,
    async (n) => {
      const step = mustBeOpen();
      const h = holder()!;
      if (n.action === 'reassign') {
        ctx.holder = null;
        await env.record(step.stepId, 'released', { agentId: h.agentId, assignmentId: h.assignmentId, by: 'system', reason: 'holder_silent', silentMs: n.silentMs });
      } else if (n.action === 'notify_supervisor') {
        await env.record(step.stepId, 'notified', { to: env.supervisors, reason: 'holder_silent', holder: h.agentId, silentMs: n.silentMs });
      } else {
        await env.record(step.stepId, 'reminded', { to: h.agentId, reason: 'holder_silent', silentMs: n.silentMs });
      }
      return state();
    },
    {
      validator: (n) => {
        mustBeOpen();
        if (!['remind', 'reassign', 'notify_supervisor'].includes(n?.action)) throw new Error('action must be remind, reassign or notify_supervisor');
        if (holder()?.assignmentId !== n.assignmentId) throw new Error('that holding has ended');
      },
    },
  );

  return {
    holder,
    /** A decision by someone other than the holder is refused, unless a supervisor or admin acts for the holder. */
    decisionProblem(decision: AgentDecision): string | null {
      const h = holder();
      if (!h || h.agentId === decision.agentId) return null;
      if (decision.actingFor === h.agentId) return null;
      return `ticket is held by ${h.agentId}: only they, or a supervisor acting for them, may decide`;
    },
    /**
     * The waiting step's SLA clock for the live view (a query: no command, nothing to patch): the deadline as it
     * stands (moved later by pauses), or, while the ticket waits on the user, no deadline and the time left.
     */
    clock(): { until: string | null; paused: boolean; remainingMs?: number } | null {
      if (!open) return null;
      if (open.pausedAt !== null) return { until: null, paused: true, ...(open.deadline !== null ? { remainingMs: Math.max(0, open.deadline - open.pausedAt) } : {}) };
      return { until: iso(open.deadline), paused: false };
    },
    /** The human step starts waiting; `slaMs` starts its clock. */
    begin(stepId: string, slaMs: number | undefined) {
      open = { stepId, escalated: false, deadline: slaMs === undefined ? null : Date.now() + slaMs, pausedAt: null, statusBeforePause: null };
    },
    /** The step is over (decided, breached and moved on, escalated to another group): nobody holds it any more. */
    end() {
      open = null;
      ctx.holder = null;
    },
    /** The escalation moved the step to another group without a clock: the holder lets go. */
    escalated() {
      if (open) open.deadline = null;
      ctx.holder = null;
    },
    /**
     * Waits for a decision within the SLA, stopping the clock while the ticket waits on the user.
     * The first wait is exactly `condition(decided, slaMs)`, so histories from before pauses existed replay.
     */
    async awaitDecision(decided: () => boolean, slaMs: number | undefined): Promise<boolean> {
      let timeout = slaMs;
      const paused = () => open?.pausedAt !== null && open?.pausedAt !== undefined;
      const escalated = () => open?.escalated === true;
      for (;;) {
        const woke = timeout === undefined ? (await condition(() => decided() || paused() || escalated()), true) : await condition(() => decided() || paused() || escalated(), timeout);
        if (decided()) return true;
        if (escalated()) {
          // an agent escalated: the supervisors decide, without a clock
          await condition(decided);
          return true;
        }
        if (!woke || !paused()) return false;
        await condition(() => decided() || !paused());
        if (decided()) return true;
        timeout = open?.deadline == null ? undefined : Math.max(1, open.deadline - Date.now());
      }
    },
  };
}
