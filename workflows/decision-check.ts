// What an agent's decision must satisfy before the ticket takes it (the decide update's validator): the
// ticket waits for a decision, the caller may decide, the decision is offered, its data fit the step's
// schema, and a step that needs a second person gets one. Pure: validators stay synchronous (sdk-typescript #1542).
import { decisionDataError } from '../sops/decision-data';
import type { HumanTaskStep } from '../sops/types';
import type { AgentDecision, TicketLiveState } from './types';

export interface DecisionScene {
  waiting: TicketLiveState['waitingFor'];
  /** a decision already taken and not yet acted on */
  pending: AgentDecision | null;
  /** the SOP's human step waiting (null for none, or a built-in one) */
  step: HumanTaskStep | null;
  stepId: string | null;
  ctx: Record<string, unknown>;
  /** why this caller may not decide for the holder, or null */
  holderProblem: (decision: AgentDecision) => string | null;
}

/** Why the decision is refused, or null when the ticket takes it. */
export function decisionRefusal(decision: AgentDecision, scene: DecisionScene): string | null {
  const { waiting, step, ctx } = scene;
  if (waiting?.kind !== 'human_task' || scene.pending) return `ticket is at step ${scene.stepId ?? 'end'}, not waiting for an agent's decision`;
  if (typeof decision?.agentId !== 'string' || !decision.agentId) return 'agentId is required';
  if (typeof decision.decision !== 'string' || !waiting.decisions.includes(decision.decision)) return `decision must be one of ${waiting.decisions.join(', ')}`;
  if (decision.note !== undefined && typeof decision.note !== 'string') return 'note must be a string';
  const notHolder = scene.holderProblem(decision);
  if (notHolder) return notHolder;
  if (!step) return null;
  const problem = decisionDataError(step.data, decision.decision, decision.data, ctx);
  if (problem) return problem;
  if (step.distinctFrom) {
    const earlier = ctx[step.distinctFrom] as Partial<AgentDecision> | undefined;
    if (earlier?.agentId === decision.agentId) return `agentId: ${decision.agentId} decided ${step.distinctFrom} and may not also decide ${scene.stepId ?? 'this step'}: a second person must`;
  }
  return null;
}
