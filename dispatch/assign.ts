// From a claim to a holder: the claim (schema/dispatch-repository.ts) picks the ticket under a row
// lock, then the ticket workflow's `assign` update makes it so, with the assignment id as update id.
// A refused update undoes the claim; a claim whose update never arrived (the process crashed between
// the two) is sent again by repairClaims with the same id: the workflow takes it once.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { CLAIM_REPAIR_AFTER_MS } from '../domain/dispatch';
import type { Database } from '../schema';
import { claimNext, dropClaim, staleClaims, type ClaimResult } from '../schema/dispatch-repository';
import { assignUpdate, ticketWorkflowId } from '../workflows/definitions';

/** an assignment that no worker takes within this long is left to the repair (the caller gets 503 from the API) */
const UPDATE_DEADLINE_MS = 10_000;

export type AssignOutcome = { kind: 'assigned'; ticketId: string; assignmentId: string; group: string } | { kind: 'refused'; reason: string };

/** Sends the claim to the workflow. Errors other than a refusal (Temporal down, timeout) leave the claim for repair. */
export async function confirmClaim(client: Client, db: Database, claim: Extract<ClaimResult, { kind: 'claimed' }>, agentId: string, by: string): Promise<AssignOutcome> {
  try {
    await client.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () =>
      client.workflow.getHandle(ticketWorkflowId(claim.ticketId)).executeUpdate(assignUpdate, { args: [{ agentId, assignmentId: claim.assignmentId, by }], updateId: claim.assignmentId }),
    );
    return { kind: 'assigned', ticketId: claim.ticketId, assignmentId: claim.assignmentId, group: claim.group };
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError) {
      await dropClaim(db, claim.ticketId, claim.assignmentId);
      return { kind: 'refused', reason: err instanceof WorkflowUpdateFailedError ? (err.cause?.message ?? err.message) : 'the ticket has finished' };
    }
    throw err;
  }
}

/**
 * The next ticket for an agent: claim, then assign. A ticket the workflow refuses (decided a moment
 * ago, its row not yet updated) is skipped and the next one claimed, a few times at most.
 */
export async function pullNext(client: Client, db: Database, agentId: string, by: string, opts: { group?: string; attempts?: number } = {}): Promise<ClaimResult | AssignOutcome> {
  const attempts = opts.attempts ?? 5;
  let last: ClaimResult | AssignOutcome = { kind: 'empty' };
  for (let i = 0; i < attempts; i++) {
    const claim = await claimNext(db, agentId, { group: opts.group });
    if (claim.kind !== 'claimed') return claim;
    last = await confirmClaim(client, db, claim, agentId, by);
    if (last.kind === 'assigned') return last;
  }
  return last;
}

/** Sends unconfirmed claims again (same update id): a crash between claim and update costs a delay, never a double holder. */
export async function repairClaims(client: Client, db: Database, olderThanMs = CLAIM_REPAIR_AFTER_MS): Promise<number> {
  const stale = await staleClaims(db, olderThanMs);
  for (const s of stale) {
    await confirmClaim(client, db, { kind: 'claimed', ticketId: s.ticketId, assignmentId: s.assignmentId!, group: '' }, s.holder!, 'dispatcher').catch(() => undefined);
  }
  return stale.length;
}
