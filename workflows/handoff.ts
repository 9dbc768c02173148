// The built-in hand-off: when the SOP does not say who acts (an action failing without onError, a
// failing reroute, an old document's escalate without next, a ticket the reconciler starts again), the
// ticket waits in a human step of the receiving group. Pure: the steps are made from the context, so
// they resume after continue-as-new.
import type { SopStep } from '../sops/types';

/** The built-in step ids. They are not identifiers, so no SOP step can take them. */
export const HANDOFF = '$handoff';
const HANDOFF_CLOSE = '$handoff_close';

/** Who must act, kept in the context as `handoff`. */
export interface Handoff {
  /** the step that failed or escalated; 'retry' goes back to it */
  step: string;
  group: string;
  reason: string;
  decisions: string[];
  /** a recovered ticket: the step its earlier workflow stopped at ('retry' then runs the procedure again from `step`) */
  stoppedAt?: string | null;
}

function taskText(h: Handoff, retry: boolean): { zh: string; en: string } {
  if (h.stoppedAt !== undefined) {
    const where = { zh: h.stoppedAt ? `在步骤 ${h.stoppedAt} ` : '', en: h.stoppedAt ? ` at step ${h.stoppedAt}` : '' };
    return {
      zh: `工单的流程${where.zh}中止了(${h.reason})。选择 retry 从步骤 ${h.step} 重新运行流程(已付款项不会重复支付),或处理后选择 close 结案,并在备注中写明处理结果。`,
      en: `The ticket's procedure stopped${where.en} (${h.reason}). Choose retry to run it again from step ${h.step} (nothing already paid is paid again), or handle it and choose close, with what was done in the note.`,
    };
  }
  return {
    zh: `工单在步骤 ${h.step} 无法继续(${h.reason})。${retry ? '选择 retry 重试该步骤,或' : '请处理后'}选择 close 结案,并在备注中写明处理结果。`,
    en: `The ticket cannot go on at step ${h.step} (${h.reason}). ${retry ? 'Choose retry to run that step again, or close' : 'Handle it and choose close'} to close the ticket, with what was done in the note.`,
  };
}

/** 4 h unless the policy sets handoffSla (or, failing that, reviewSla) in milliseconds */
const DEFAULT_HANDOFF_SLA_MS = 4 * 60 * 60 * 1000;
const positive = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** The built-in step of this id for the current hand-off, or undefined. */
export function builtinStep(id: string, h: Handoff | undefined, policy: Record<string, unknown>): SopStep | undefined {
  if (!h) return undefined;
  const slaMs = positive(policy.handoffSla) ? policy.handoffSla : positive(policy.reviewSla) ? policy.reviewSla : DEFAULT_HANDOFF_SLA_MS;
  if (id === HANDOFF) {
    const retry = h.decisions.includes('retry');
    return {
      kind: 'human_task',
      owner: h.group,
      group: h.group,
      // past its SLA the group is reminded and the step keeps waiting: it is already the last resort
      sla: `${slaMs}ms`,
      onBreach: { action: 'notify', to: h.group },
      task: taskText(h, retry),
      decisions: h.decisions,
      data: {},
      output: 'handoffDecision',
      next: Object.fromEntries(h.decisions.map((d) => [d, d === 'retry' ? h.step : HANDOFF_CLOSE])),
    };
  }
  if (id === HANDOFF_CLOSE) {
    return {
      kind: 'close',
      owner: h.group,
      resolution: 'closed_after_escalation',
      data: { reason: { var: 'handoff.reason' }, step: { var: 'handoff.step' }, decidedBy: { var: 'handoffDecision.agentId' }, note: { var: 'handoffDecision.note' } },
    };
  }
  return undefined;
}
