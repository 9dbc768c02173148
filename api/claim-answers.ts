// One mapping from a claim's or an assignment's outcome to an HTTP answer.
import type { AssignOutcome } from '../dispatch/assign';
import type { ClaimResult } from '../schema/dispatch-repository';
import { HttpError } from './errors';

/** The assignment, or null with the reason when the queue had nothing; HttpError for the rest. */
export function assignedOrThrow(outcome: ClaimResult | AssignOutcome, agentId: string): { ticketId: string; assignmentId: string; group: string } | null {
  switch (outcome.kind) {
    case 'assigned':
      return { ticketId: outcome.ticketId, assignmentId: outcome.assignmentId, group: outcome.group };
    case 'empty':
      return null;
    case 'capacity':
      throw new HttpError(409, 'at_capacity', `${agentId} holds ${outcome.held} of at most ${outcome.max} tickets: decide or release one first`);
    case 'not_agent':
      throw new HttpError(404, 'not_found', `${agentId} has no agent profile: PATCH /v1/agents/${agentId} with groups first`);
    case 'not_queued':
      throw new HttpError(409, 'wrong_state', 'the ticket is not waiting in a queue (no human step waits, or it is not held by that agent)');
    case 'held':
      throw new HttpError(409, 'already_held', `the ticket is held by ${outcome.holder}`);
    case 'not_skilled':
      throw new HttpError(409, 'not_skilled', `${agentId} is not in ${outcome.group}, the group this ticket waits in`);
    case 'refused':
      throw new HttpError(409, 'wrong_state', outcome.reason);
    case 'claimed':
      throw new Error('a claim must be confirmed before answering');
  }
}
